// Finds the KMS key resources of a Terraform plan (`terraform show -json`): the planned values of
// the root module and every child module, and the resource changes, merged by address.
import type { TerraformModule, TerraformPlan, TerraformResource } from './documents';
import { UnknownValue } from './intrinsic-values';
import { isKeyResourceType, type DeclaredKey } from './rotation-decision';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The resources of a module and of its child modules, depth first. A list of modules still to
 * visit rather than recursion, so that how deep modules nest never meets the stack limit. */
function* moduleResources(root: TerraformModule | undefined): Generator<TerraformResource> {
  const pending = root ? [root] : [];
  for (let module = pending.pop(); module; module = pending.pop()) {
    for (const resource of module.resources ?? []) yield resource;
    const children = module.child_modules ?? [];
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
  }
}

interface PlannedKey {
  type: string;
  values: Record<string, unknown>;
  unknown: Set<string>;
}

/** A change that only takes the key out of this configuration: destroyed (`delete`) or dropped from
 * state and left alone (`forget`, a `removed` block). Neither declares a key; a replacement does. */
function isRemoval(actions: readonly string[]): boolean {
  return actions.length > 0 && actions.every((action) => action === 'delete' || action === 'forget');
}

/**
 * Every managed key resource the plan leaves in place or creates, with its attributes. Planned
 * values omit what is "known after apply"; resource_changes' after_unknown says which those are,
 * and they become UnknownValue so the decision can name them instead of taking them as absent.
 */
export function keysInPlan(plan: TerraformPlan): DeclaredKey[] {
  const byAddress = new Map<string, PlannedKey>();
  const removed = new Set<string>();
  for (const change of plan.resource_changes ?? []) {
    if (!isRecord(change) || change.mode === 'data' || !isKeyResourceType(change.type)) continue;
    const actions = change.change?.actions ?? [];
    if (isRemoval(actions)) {
      removed.add(change.address);
      continue;
    }
    const afterUnknown = change.change?.after_unknown;
    const unknown = new Set(isRecord(afterUnknown) ? Object.keys(afterUnknown).filter((name) => afterUnknown[name] === true) : []);
    const after = change.change?.after;
    byAddress.set(change.address, { type: change.type, values: isRecord(after) ? { ...after } : {}, unknown });
  }
  for (const resource of moduleResources(plan.planned_values?.root_module)) {
    if (!isRecord(resource) || resource.mode === 'data' || !isKeyResourceType(resource.type) || removed.has(resource.address)) {
      continue;
    }
    const planned = byAddress.get(resource.address);
    const values = isRecord(resource.values) ? resource.values : {};
    byAddress.set(resource.address, {
      type: resource.type,
      values: { ...planned?.values, ...values },
      unknown: planned?.unknown ?? new Set(),
    });
  }
  return [...byAddress.entries()].map(([address, key]) => {
    const properties: Record<string, unknown> = { ...key.values };
    for (const name of key.unknown) {
      if (properties[name] === undefined || properties[name] === null) {
        properties[name] = new UnknownValue(`${name}, known only after apply`);
      }
    }
    return { id: address, resourceType: key.type, properties };
  });
}
