import type { Knex } from 'knex';

/** Users, everything oidc-provider persists, and the server's own secrets. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.text('id').primary(); // the stable, opaque `sub`
    table.text('email').notNullable();
    table.boolean('email_verified').notNullable().defaultTo(false);
    table.text('name');
    table.text('given_name');
    table.text('family_name');
    table.text('password_hash');
    table.timestamp('password_changed_at', { useTz: true });
    table.timestamp('disabled_at', { useTz: true });
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))');

  // One row per oidc-provider model instance (Session, Grant, AccessToken, ...), keyed by model name and id.
  await knex.schema.createTable('oidc_payloads', (table) => {
    table.text('model').notNullable();
    table.text('id').notNullable();
    table.jsonb('payload').notNullable();
    table.text('grant_id');
    table.text('user_code');
    table.text('uid');
    table.text('account_id');
    table.timestamp('expires_at', { useTz: true });
    table.timestamp('consumed_at', { useTz: true });
    table.primary(['model', 'id']);
  });
  await knex.raw('CREATE INDEX oidc_payloads_grant_id_idx ON oidc_payloads (grant_id) WHERE grant_id IS NOT NULL');
  await knex.raw('CREATE UNIQUE INDEX oidc_payloads_uid_key ON oidc_payloads (model, uid) WHERE uid IS NOT NULL');
  await knex.raw(
    'CREATE UNIQUE INDEX oidc_payloads_user_code_key ON oidc_payloads (model, user_code) WHERE user_code IS NOT NULL',
  );
  await knex.raw(
    'CREATE INDEX oidc_payloads_account_id_idx ON oidc_payloads (model, account_id) WHERE account_id IS NOT NULL',
  );
  await knex.raw('CREATE INDEX oidc_payloads_expires_at_idx ON oidc_payloads (expires_at) WHERE expires_at IS NOT NULL');

  await knex.schema.createTable('signing_keys', (table) => {
    table.text('kid').primary();
    table.text('alg').notNullable();
    table.text('use').notNullable().defaultTo('sig');
    table.jsonb('private_jwk').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('cookie_keys', (table) => {
    table.increments('id').primary();
    table.text('secret').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('cookie_keys');
  await knex.schema.dropTable('signing_keys');
  await knex.schema.dropTable('oidc_payloads');
  await knex.schema.dropTable('users');
}
