import type { Knex } from 'knex';

/** Sign-in throttling counters, and the append-only audit trail of security events. */
export async function up(knex: Knex): Promise<void> {
  // One counter per (scope, key): key is a hash of the email and/or client address, so no raw input is kept here.
  await knex.schema.createTable('sign_in_throttles', (table) => {
    table.text('scope').notNullable();
    table.text('key').notNullable();
    table.integer('failures').notNullable();
    table.timestamp('blocked_until', { useTz: true });
    table.timestamp('last_failure_at', { useTz: true }).notNullable();
    table.primary(['scope', 'key']);
  });
  await knex.raw('CREATE INDEX sign_in_throttles_last_failure_at_idx ON sign_in_throttles (last_failure_at)');

  await knex.schema.createTable('audit_events', (table) => {
    table.bigIncrements('id').primary();
    table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.text('event').notNullable();
    table.text('user_id'); // the account's sub, when known
    table.text('email'); // the account's email, or the email someone tried to sign in with
    table.text('client_id');
    table.text('ip');
    table.text('user_agent');
    table.jsonb('details').notNullable().defaultTo('{}');
  });
  await knex.raw('CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at)');
  await knex.raw('CREATE INDEX audit_events_user_id_idx ON audit_events (user_id, occurred_at) WHERE user_id IS NOT NULL');
  await knex.raw('CREATE INDEX audit_events_email_idx ON audit_events (lower(email), occurred_at) WHERE email IS NOT NULL');
  await knex.raw('CREATE INDEX audit_events_event_idx ON audit_events (event, occurred_at)');

  // Append-only: rows are never changed. Deleting stays possible, for the retention sweep only.
  await knex.raw(`
    CREATE FUNCTION audit_events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_events is append-only';
    END
    $$`);
  await knex.raw(
    'CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_update()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
  await knex.raw('DROP FUNCTION audit_events_refuse_update()');
  await knex.schema.dropTable('sign_in_throttles');
}
