// Retained indicator topics the current model no longer publishes (issue 10): `city/indicators/<id>[/<scope>]`
// for an indicator or a district that is gone. Left retained, they would show a deleted district's last
// value to every new subscriber for ever; the broker purges them at start (broker/retained-store.ts).
const PREFIX = 'city/indicators/';

export interface PublishedModel {
  indicators: readonly { def: { id: string } }[];
  scopes: readonly string[];
}

/** A reason to drop this retained topic, or undefined when the model still publishes it (or it is not ours). */
export function staleIndicatorTopic(model: PublishedModel): (topic: string) => string | undefined {
  const ids = new Set(model.indicators.map((c) => c.def.id));
  const scopes = new Set(model.scopes);
  return (topic) => {
    if (!topic.startsWith(PREFIX)) return undefined;
    const rest = topic.slice(PREFIX.length);
    const slash = rest.indexOf('/');
    const id = slash < 0 ? rest : rest.slice(0, slash);
    const scope = slash < 0 ? 'city' : rest.slice(slash + 1);
    if (!ids.has(id)) return `no indicator '${id}' any more`;
    if (!scopes.has(scope)) return `no scope '${scope}' any more`;
    return undefined;
  };
}
