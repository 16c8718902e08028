import type { Knex } from 'knex';

const LIFE_CYCLE_COLUMNS = ['published_at', 'active_from', 'retired_from', 'removed_at', 'revoked_at'] as const;

/**
 * Signing and cookie keys get a life cycle (published → active → retired → removed, or revoked) and their secret
 * material a sealed (encrypted) column. The plaintext columns stay, nullable, only so that the server can encrypt
 * what an earlier version stored there at its next start (a migration has no key-encryption key) and empty them.
 * A one-row version, bumped by triggers on every change to either table, lets every instance notice a change with
 * one cheap query.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('signing_keys', (table) => {
    table.jsonb('private_jwk').nullable().alter();
    table.text('sealed_private_jwk');
    addLifeCycleColumns(table);
  });
  // Keys of the initial schema were published and signing from the moment they were made.
  await knex('signing_keys').update({ published_at: knex.ref('created_at'), active_from: knex.ref('created_at') });
  await knex.schema.alterTable('signing_keys', (table) => {
    table.timestamp('published_at', { useTz: true }).notNullable().alter();
    table.timestamp('active_from', { useTz: true }).notNullable().alter();
    table.index(['alg'], 'signing_keys_alg_idx');
  });

  await knex.schema.alterTable('cookie_keys', (table) => {
    table.text('secret').nullable().alter();
    table.text('kid');
    table.text('sealed_secret');
    addLifeCycleColumns(table);
  });
  await knex('cookie_keys').update({
    kid: knex.raw("'cookie-' || id"),
    published_at: knex.ref('created_at'),
    active_from: knex.ref('created_at'),
  });
  await knex.schema.alterTable('cookie_keys', (table) => {
    table.text('kid').notNullable().alter();
    table.unique(['kid'], { indexName: 'cookie_keys_kid_key' });
    table.timestamp('published_at', { useTz: true }).notNullable().alter();
    table.timestamp('active_from', { useTz: true }).notNullable().alter();
  });

  await knex.schema.createTable('key_set_version', (table) => {
    table.smallint('id').primary().defaultTo(1);
    table.bigint('version').notNullable().defaultTo(0);
    table.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.check('id = 1', [], 'key_set_version_single_row');
  });
  await knex('key_set_version').insert({ id: 1, version: 0 });
  await knex.raw(`
    CREATE FUNCTION bump_key_set_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE key_set_version SET version = version + 1, changed_at = now() WHERE id = 1;
      RETURN NULL;
    END
    $$`);
  for (const table of ['signing_keys', 'cookie_keys']) {
    await knex.raw(
      `CREATE TRIGGER ${table}_bump_key_set_version AFTER INSERT OR UPDATE OR DELETE ON ${table}
       FOR EACH STATEMENT EXECUTE FUNCTION bump_key_set_version()`,
    );
  }
}

/** Not reversible: the private keys are now stored only encrypted, and the old schema expects them in plain text. */
export async function down(): Promise<void> {
  throw new Error('20261126100000_signing_key_lifecycle cannot be undone: the keys are stored encrypted now.');
}

function addLifeCycleColumns(table: Knex.AlterTableBuilder): void {
  for (const column of LIFE_CYCLE_COLUMNS) table.timestamp(column, { useTz: true });
}
