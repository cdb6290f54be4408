"""Real-browser tests of the case app (headless Chromium driven by Playwright)."""
