import type { Knex } from 'knex';

/**
 * The outbox of OpenID Connect Back-Channel Logout: one row per logout token owed to a client. Rows are written in the
 * same transaction that ends the session, delivered by whichever instance claims them first, retried on failure, and
 * kept afterwards as the record of what was delivered.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('backchannel_logouts', (table) => {
    table.bigIncrements('id').primary();
    table.text('client_id').notNullable();
    table.text('account_id').notNullable(); // the `sub` of the logout token
    table.text('sid'); // the client's session id, when the session had one for it
    table.text('session_uid'); // the public id of the ended session (what `latchkey sessions list` shows)
    table.text('reason').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.integer('attempts').notNullable().defaultTo(0);
    // When the next attempt is due; NULL once delivered or given up. A claimed row gets a lease time here.
    table.timestamp('next_attempt_at', { useTz: true });
    table.timestamp('last_attempt_at', { useTz: true });
    table.text('last_error');
    table.text('delivered_to');
    table.timestamp('delivered_at', { useTz: true });
    table.timestamp('failed_at', { useTz: true });
  });
  await knex.raw(
    'CREATE INDEX backchannel_logouts_due_idx ON backchannel_logouts (next_attempt_at) WHERE next_attempt_at IS NOT NULL',
  );
  await knex.raw('CREATE INDEX backchannel_logouts_account_id_idx ON backchannel_logouts (account_id, created_at)');
  await knex.raw('CREATE INDEX backchannel_logouts_created_at_idx ON backchannel_logouts (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('backchannel_logouts');
}
