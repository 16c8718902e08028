import type { Knex } from 'knex';

/**
 * Where and when each sign-in session was used, for the account page's list of devices. oidc-provider's Session rows
 * know the account but not the browser, so this table is keyed by the session's uid (which oidc-provider keeps when
 * it rotates the session id). Rows whose session is gone are swept.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('session_activity', (table) => {
    table.text('session_uid').primary();
    table.text('account_id').notNullable();
    table.text('user_agent');
    table.text('ip');
    table.timestamp('signed_in_at', { useTz: true }).notNullable();
    table.timestamp('last_seen_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX session_activity_account_id_idx ON session_activity (account_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('session_activity');
}
