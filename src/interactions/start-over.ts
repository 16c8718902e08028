import type Provider from 'oidc-provider';

/** What a stored interaction remembers of the authorization request that started it. */
interface StartedInteraction {
  returnTo: string;
  params: Record<string, unknown>;
}

/**
 * A fresh start for an interaction whose form was refused: the same authorization request again, which opens a new
 * interaction (with new cookies and token). The authorization endpoint is the interaction's resume URL without its
 * last segment (oidc-provider resumes at `<authorization endpoint>/<uid>`).
 */
export function startOverUrl(interaction: StartedInteraction): string {
  const url = new URL(interaction.returnTo.slice(0, interaction.returnTo.lastIndexOf('/')));
  for (const [name, value] of Object.entries(interaction.params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string') url.searchParams.append(name, item);
    }
  }
  return url.href;
}

/** The fresh start for the interaction named in a URL, when it still exists; only well-formed uids are looked up. */
export async function findStartOverUrl(provider: Provider, uid: unknown): Promise<string | undefined> {
  if (typeof uid !== 'string' || !/^[\w-]{1,64}$/.test(uid)) return undefined;
  const interaction = await provider.Interaction.find(uid);
  return interaction ? startOverUrl(interaction) : undefined;
}
