// Migration 0001: uniqueness for every key Jigsaw MERGEs on, created before any load so that MERGE is
// safe under concurrency and uses the constraint's index. One statement per line-block, ';' separated.
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.person_id IS UNIQUE;
CREATE CONSTRAINT source_record_key IF NOT EXISTS FOR (n:SourceRecord) REQUIRE n.record_key IS UNIQUE;
CREATE CONSTRAINT fact_key IF NOT EXISTS FOR (n:Fact) REQUIRE n.fact_key IS UNIQUE;
CREATE CONSTRAINT address_key IF NOT EXISTS FOR (n:Address) REQUIRE n.address_key IS UNIQUE;
CREATE CONSTRAINT household_key IF NOT EXISTS FOR (n:Household) REQUIRE n.household_key IS UNIQUE;
CREATE CONSTRAINT record_version_key IF NOT EXISTS FOR (n:RecordVersion) REQUIRE n.version_key IS UNIQUE;
CREATE CONSTRAINT ingest_run_id IF NOT EXISTS FOR (n:IngestRun) REQUIRE n.run_id IS UNIQUE;
CREATE CONSTRAINT schema_migration_version IF NOT EXISTS FOR (n:SchemaMigration) REQUIRE n.version IS UNIQUE
