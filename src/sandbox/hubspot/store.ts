/**
 * The state of one emulated HubSpot portal and the rules HubSpot applies when it is written: property definitions
 * and value validation, read-only (calculated) properties, unique-value properties, lifecycle stage that does not
 * move backwards unless cleared first, deal stages checked against the pipeline, HUBSPOT_DEFINED associations,
 * static list membership and web-analytics events. Search answers from an index that lags writes by
 * `searchIndexLagMs`, as HubSpot's does.
 */
import {
  badRequest,
  conflict,
  HubSpotApiError,
  errorBody,
  invalidProperties,
  notFound,
  type PropertyIssue,
} from './errors';
import {
  ASSOCIATION_TYPES,
  builtInGroups,
  builtInProperties,
  defaultDealPipeline,
  LIFECYCLE_ORDER,
  OBJECT_TYPE_IDS,
  OBJECT_TYPES,
  SINGULAR,
  type ObjectType,
  type Pipeline,
  type PropertyDefinition,
  type PropertyGroup,
  type PropertyType,
} from './schema';

export interface StoredObject {
  id: string;
  type: ObjectType;
  /** Stored values only; an unset or cleared property is absent. */
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface Owner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  userIdIncludingInactive: number;
  type: 'PERSON';
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface StaticList {
  listId: string;
  name: string;
  objectTypeId: string;
  processingType: 'MANUAL' | 'SNAPSHOT' | 'DYNAMIC';
  createdAt: string;
  updatedAt: string;
  /** record id → ISO time it joined */
  members: Map<string, string>;
}

export interface WebEvent {
  id: string;
  objectType: string;
  objectId: string;
  eventType: string;
  occurredAt: string;
  properties: Record<string, string>;
}

export interface AssociationInput {
  to: { id: string | number };
  types: { associationCategory: string; associationTypeId: number }[];
}

export interface AssociatedRecord {
  toObjectId: string;
  typeIds: number[];
}

export interface SearchRequest {
  filterGroups?: { filters?: SearchFilter[] }[];
  sorts?: (string | { propertyName: string; direction?: string })[];
  properties?: string[];
  limit?: number;
  after?: string | number;
}

interface SearchFilter {
  propertyName: string;
  operator: string;
  value?: unknown;
  highValue?: unknown;
  values?: unknown[];
}

/** Properties a read returns when the caller names none. */
const DEFAULT_READ: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'lastname', 'lastmodifieddate', 'hs_object_id'],
  companies: ['createdate', 'domain', 'name', 'hs_lastmodifieddate', 'hs_object_id'],
  deals: [
    'amount',
    'closedate',
    'createdate',
    'dealname',
    'dealstage',
    'hs_lastmodifieddate',
    'hs_object_id',
    'pipeline',
  ],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  notes: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** Properties every read includes besides the ones asked for. */
const ALWAYS_READ: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'lastmodifieddate', 'hs_object_id'],
  companies: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  deals: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  notes: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

const CREATED_PROPERTY: Record<ObjectType, string> = {
  contacts: 'createdate',
  companies: 'createdate',
  deals: 'createdate',
  tasks: 'hs_createdate',
  notes: 'hs_createdate',
};

const MODIFIED_PROPERTY: Record<ObjectType, string> = {
  contacts: 'lastmodifieddate',
  companies: 'hs_lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  tasks: 'hs_lastmodifieddate',
  notes: 'hs_lastmodifieddate',
};

const REQUIRED_ON_CREATE: Record<ObjectType, string[]> = {
  contacts: [],
  companies: [],
  deals: ['dealname', 'dealstage'],
  tasks: ['hs_timestamp'],
  notes: ['hs_timestamp'],
};

const PROPERTY_NAME = /^[a-z][a-z0-9_]*$/;
const PROPERTY_TYPES: PropertyType[] = ['string', 'number', 'datetime', 'date', 'enumeration', 'bool'];

export interface PropertyCreateInput {
  name?: string;
  label?: string;
  type?: string;
  fieldType?: string;
  groupName?: string;
  description?: string;
  options?: { label?: string; value?: string; displayOrder?: number; hidden?: boolean }[];
  hasUniqueValue?: boolean;
  formField?: boolean;
  displayOrder?: number;
}

export class HubSpotStore {
  private readonly objects = new Map<ObjectType, Map<string, StoredObject>>();
  /** Search-index snapshots per object key: what search sees, written `searchIndexLagMs` after the write. */
  private readonly indexed = new Map<string, { at: number; properties: Record<string, string> }[]>();
  private readonly definitions = new Map<ObjectType, Map<string, PropertyDefinition>>();
  private readonly groups = new Map<ObjectType, Map<string, PropertyGroup>>();
  /** `${type}:${id}` → `${toType}:${toId}` → association type ids */
  private readonly edges = new Map<string, Map<string, Set<number>>>();
  readonly owners: Owner[] = [];
  readonly lists = new Map<string, StaticList>();
  readonly pipelines = new Map<string, Pipeline>();
  readonly webEvents: WebEvent[] = [];
  private nextId = 10_000_000_001;

  constructor(
    readonly clock: () => Date,
    readonly searchIndexLagMs = 0,
  ) {
    this.clear();
  }

  /** Back to an empty portal: built-in properties and the default pipeline only. */
  clear(): void {
    const at = this.now();
    this.objects.clear();
    this.indexed.clear();
    this.edges.clear();
    this.owners.length = 0;
    this.lists.clear();
    this.pipelines.clear();
    this.webEvents.length = 0;
    for (const type of OBJECT_TYPES) {
      this.objects.set(type, new Map());
      this.definitions.set(type, new Map(builtInProperties(type, at).map((p) => [p.name, p])));
      this.groups.set(type, new Map(builtInGroups(type).map((g) => [g.name, g])));
    }
    this.pipelines.set('default', defaultDealPipeline(at));
  }

  now(): string {
    return this.clock().toISOString();
  }

  newId(): string {
    return String(this.nextId++);
  }

  // ----------------------------------------------------------------------------------------------------------
  // Property definitions
  // ----------------------------------------------------------------------------------------------------------

  propertyDefinitions(type: ObjectType): PropertyDefinition[] {
    return [...this.definitions.get(type)!.values()].filter((p) => !p.archived);
  }

  propertyDefinition(type: ObjectType, name: string): PropertyDefinition | undefined {
    const def = this.definitions.get(type)!.get(name);
    return def && !def.archived ? def : undefined;
  }

  propertyGroups(type: ObjectType): PropertyGroup[] {
    return [...this.groups.get(type)!.values()].filter((g) => !g.archived);
  }

  createPropertyGroup(
    type: ObjectType,
    input: { name?: string; label?: string; displayOrder?: number },
  ): PropertyGroup {
    if (!input.name || !PROPERTY_NAME.test(input.name)) {
      throw badRequest(`Invalid property group name "${input.name ?? ''}": expected lower-case letters, digits, "_"`);
    }
    if (!input.label) throw badRequest('Property group label is required');
    if (this.groups.get(type)!.has(input.name)) {
      throw new HubSpotApiError(
        409,
        errorBody(`A property group named '${input.name}' already exists.`, 'OBJECT_ALREADY_EXISTS'),
      );
    }
    const group: PropertyGroup = {
      name: input.name,
      label: input.label,
      displayOrder: input.displayOrder ?? -1,
      archived: false,
    };
    this.groups.get(type)!.set(group.name, group);
    return group;
  }

  createProperty(type: ObjectType, input: PropertyCreateInput): PropertyDefinition {
    const issues: string[] = [];
    if (!input.name || !PROPERTY_NAME.test(input.name)) issues.push(`name "${input.name ?? ''}" is not a valid name`);
    if (!input.label) issues.push('label is required');
    if (!input.type || !PROPERTY_TYPES.includes(input.type as PropertyType)) {
      issues.push(`type "${input.type ?? ''}" is not one of ${PROPERTY_TYPES.join(', ')}`);
    }
    if (!input.fieldType) issues.push('fieldType is required');
    if (!input.groupName || !this.groups.get(type)!.has(input.groupName)) {
      issues.push(`groupName "${input.groupName ?? ''}" is not a property group of ${type}`);
    }
    if (input.type === 'enumeration' && !(input.options ?? []).length) issues.push('enumeration needs options');
    if (input.hasUniqueValue && input.type !== 'string' && input.type !== 'number') {
      issues.push('only string and number properties can have unique values');
    }
    if (issues.length) throw badRequest(`Invalid property: ${issues.join('; ')}`);
    if (this.definitions.get(type)!.has(input.name!)) {
      throw new HubSpotApiError(
        409,
        errorBody(`Property named '${input.name}' already exists.`, 'OBJECT_ALREADY_EXISTS', {
          subCategory: 'PropertyValidationError.PROPERTY_EXISTS',
        }),
      );
    }
    const at = this.now();
    const def: PropertyDefinition = {
      name: input.name!,
      label: input.label!,
      type: input.type as PropertyType,
      fieldType: input.fieldType!,
      description: input.description ?? '',
      groupName: input.groupName!,
      options: (input.options ?? []).map((o, i) => ({
        label: o.label ?? String(o.value ?? ''),
        value: String(o.value ?? ''),
        displayOrder: o.displayOrder ?? i,
        hidden: o.hidden ?? false,
      })),
      displayOrder: input.displayOrder ?? -1,
      calculated: false,
      externalOptions: false,
      hasUniqueValue: Boolean(input.hasUniqueValue),
      hidden: false,
      hubspotDefined: false,
      formField: input.formField ?? true,
      modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    this.definitions.get(type)!.set(def.name, def);
    return def;
  }

  // ----------------------------------------------------------------------------------------------------------
  // Objects
  // ----------------------------------------------------------------------------------------------------------

  all(type: ObjectType): StoredObject[] {
    return [...this.objects.get(type)!.values()].filter((o) => !o.archived);
  }

  get(type: ObjectType, id: string): StoredObject | undefined {
    const obj = this.objects.get(type)!.get(id);
    return obj && !obj.archived ? obj : undefined;
  }

  /** Looks an object up by id, or by a unique property when `idProperty` is given (`?idProperty=`). */
  find(type: ObjectType, id: string, idProperty?: string): StoredObject | undefined {
    if (!idProperty || idProperty === 'hs_object_id') return this.get(type, id);
    const def = this.propertyDefinition(type, idProperty);
    const isEmail = type === 'contacts' && idProperty === 'email';
    if (!def || (!def.hasUniqueValue && !isEmail)) {
      throw badRequest(`${idProperty} is not a unique identifier property of ${type}`, { idProperty: [idProperty] });
    }
    return this.all(type).find((o) =>
      isEmail ? (o.properties.email ?? '').toLowerCase() === id.toLowerCase() : o.properties[idProperty] === id,
    );
  }

  require(type: ObjectType, id: string, idProperty?: string): StoredObject {
    const obj = this.find(type, id, idProperty);
    if (!obj) throw notFound('resource not found', { id: [id] });
    return obj;
  }

  /**
   * Creates a record. `system` writes HubSpot-calculated properties too (analytics source, email dates…), as
   * HubSpot itself does; the API never passes it.
   */
  create(
    type: ObjectType,
    properties: Record<string, unknown>,
    associations: AssociationInput[] = [],
    options: { id?: string; system?: boolean } = {},
  ): StoredObject {
    const targets = this.validateAssociations(type, associations);
    const next = this.validateWrite(type, null, properties, options.system);
    const id = options.id ?? this.newId();
    if (this.objects.get(type)!.has(id)) throw conflict(`${SINGULAR[type]} ${id} already exists`, { id: [id] });
    this.checkUnique(type, id, next);
    const at = this.now();
    const obj: StoredObject = { id, type, properties: {}, createdAt: at, updatedAt: at, archived: false };
    this.applyWrite(obj, next, true);
    this.objects.get(type)!.set(id, obj);
    for (const t of targets) this.associate(type, id, t.toType, t.toId, t.typeId);
    return obj;
  }

  update(
    type: ObjectType,
    id: string,
    properties: Record<string, unknown>,
    options: { idProperty?: string; system?: boolean } = {},
  ): StoredObject {
    const obj = this.require(type, id, options.idProperty);
    const next = this.validateWrite(type, obj.properties, properties, options.system);
    this.checkUnique(type, obj.id, next);
    this.applyWrite(obj, next, false);
    return obj;
  }

  archive(type: ObjectType, id: string): void {
    const obj = this.get(type, id);
    if (!obj) return;
    obj.archived = true;
    obj.updatedAt = this.now();
    this.snapshotForSearch(obj);
  }

  /** `POST …/batch/upsert`: finds each input by its unique `idProperty`, updates it, or creates it with that value. */
  upsert(
    type: ObjectType,
    input: { idProperty?: string; id: string; properties: Record<string, unknown> },
  ): { obj: StoredObject; created: boolean } {
    const idProperty = input.idProperty;
    if (!idProperty) throw badRequest('idProperty is required for upsert');
    const existing = this.find(type, input.id, idProperty);
    if (existing) return { obj: this.update(type, existing.id, input.properties), created: false };
    return { obj: this.create(type, { ...input.properties, [idProperty]: input.id }), created: true };
  }

  /** The object as the API shows it, with the named properties (null when unset) or the default set. */
  toPublic(obj: StoredObject, requested?: string[]): PublicObject {
    return this.publicFrom(obj, obj.properties, requested);
  }

  private publicFrom(obj: StoredObject, values: Record<string, string>, requested?: string[]): PublicObject {
    const names = requested?.length ? [...new Set([...requested, ...ALWAYS_READ[obj.type]])] : DEFAULT_READ[obj.type];
    const properties: Record<string, string | null> = {};
    for (const name of names) {
      if (!this.propertyDefinition(obj.type, name)) continue;
      properties[name] = values[name] ?? null;
    }
    return { id: obj.id, properties, createdAt: obj.createdAt, updatedAt: obj.updatedAt, archived: obj.archived };
  }

  private validateWrite(
    type: ObjectType,
    current: Record<string, string> | null,
    input: Record<string, unknown>,
    system = false,
  ): Record<string, string | null> {
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      throw badRequest('properties must be an object of property name to value');
    }
    const issues: PropertyIssue[] = [];
    const next: Record<string, string | null> = {};
    for (const [name, raw] of Object.entries(input)) {
      const def = this.propertyDefinition(type, name);
      if (!def) {
        issues.push({ name, code: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
        continue;
      }
      if (def.modificationMetadata.readOnlyValue && !system) {
        issues.push({
          name,
          code: 'READ_ONLY_VALUE',
          message: `${name} is a read only property; its value cannot be set.`,
        });
        continue;
      }
      if (raw !== null && raw !== undefined && typeof raw === 'object') {
        issues.push({ name, code: 'INVALID_VALUE', message: `${name} must be a string, number or boolean` });
        continue;
      }
      const text = raw === null || raw === undefined ? '' : String(raw).trim();
      if (text === '') {
        next[name] = null;
        continue;
      }
      const checked = this.checkValue(type, def, text);
      if ('issue' in checked) {
        issues.push(checked.issue);
        continue;
      }
      if (name === 'lifecyclestage' && current?.lifecyclestage && isBehind(checked.value, current.lifecyclestage)) {
        // HubSpot ignores a backward move: the stage has to be cleared first.
        continue;
      }
      next[name] = checked.value;
    }
    if (type === 'deals') this.checkDealStage(current, next, issues);
    if (!current) {
      for (const name of REQUIRED_ON_CREATE[type]) {
        if (!next[name]) issues.push({ name, code: 'REQUIRED', message: `${name} is required` });
      }
    }
    if (issues.length) throw invalidProperties(issues);
    return next;
  }

  private checkValue(
    type: ObjectType,
    def: PropertyDefinition,
    text: string,
  ): { value: string } | { issue: PropertyIssue } {
    const issue = (code: string, message: string) => ({ issue: { name: def.name, code, message } });
    switch (def.type) {
      case 'number':
        return Number.isFinite(Number(text)) ? { value: text } : issue('INVALID_LONG', `${text} is not a valid number`);
      case 'datetime':
      case 'date': {
        const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
        if (Number.isNaN(ms)) {
          return issue('INVALID_DATE', `${text} is not a valid date (expected ISO-8601 or epoch milliseconds)`);
        }
        const iso = new Date(ms).toISOString();
        return { value: def.type === 'date' ? iso.slice(0, 10) : iso };
      }
      case 'bool':
        return /^(true|false)$/i.test(text)
          ? { value: text.toLowerCase() }
          : issue('INVALID_BOOLEAN', `${text} is not a boolean`);
      case 'enumeration': {
        if (def.name === 'hubspot_owner_id') {
          return this.owners.some((o) => o.id === text && !o.archived)
            ? { value: text }
            : issue('INVALID_OPTION', `${text} was not one of the allowed options: it is not an active owner id`);
        }
        if (type === 'deals' && (def.name === 'pipeline' || def.name === 'dealstage')) return { value: text };
        const values = def.options.map((o) => o.value);
        return values.includes(text)
          ? { value: text }
          : issue('INVALID_OPTION', `${text} was not one of the allowed options: [${values.join(', ')}]`);
      }
      default:
        return text.length <= 65_536
          ? { value: text }
          : issue('INVALID_VALUE', `${def.name} is longer than 65536 characters`);
    }
  }

  private checkDealStage(
    current: Record<string, string> | null,
    next: Record<string, string | null>,
    issues: PropertyIssue[],
  ): void {
    if (!('pipeline' in next) && !('dealstage' in next)) return;
    const pipelineId = next.pipeline ?? current?.pipeline ?? 'default';
    const pipeline = this.pipelines.get(pipelineId);
    if (!pipeline) {
      issues.push({ name: 'pipeline', code: 'INVALID_OPTION', message: `${pipelineId} is not a valid pipeline id` });
      return;
    }
    const stage = next.dealstage ?? current?.dealstage;
    if (stage && !pipeline.stages.some((st) => st.id === stage)) {
      issues.push({
        name: 'dealstage',
        code: 'INVALID_OPTION',
        message: `${stage} is not a valid stage of pipeline ${pipelineId}: [${pipeline.stages.map((st) => st.id).join(', ')}]`,
      });
    }
  }

  private checkUnique(type: ObjectType, id: string, next: Record<string, string | null>): void {
    for (const [name, value] of Object.entries(next)) {
      if (!value || !this.propertyDefinition(type, name)?.hasUniqueValue) continue;
      const other = this.all(type).find((o) => o.id !== id && o.properties[name] === value);
      if (other) {
        throw conflict(
          `A ${SINGULAR[type]} with the unique property ${name} = "${value}" already exists. Existing ID: ${other.id}`,
          { propertyName: [name], id: [other.id] },
        );
      }
    }
  }

  private applyWrite(obj: StoredObject, next: Record<string, string | null>, created: boolean): void {
    const at = this.now();
    const before = { ...obj.properties };
    for (const [name, value] of Object.entries(next)) {
      if (value === null) delete obj.properties[name];
      else obj.properties[name] = value;
    }
    const p = obj.properties;
    if (created) p[CREATED_PROPERTY[obj.type]] = at;
    p[MODIFIED_PROPERTY[obj.type]] = at;
    p.hs_object_id = obj.id;
    const changed = (name: string) => p[name] !== undefined && p[name] !== before[name];
    if (obj.type === 'contacts') {
      if (changed('lifecyclestage')) p[`hs_lifecyclestage_${p.lifecyclestage}_date`] ??= at;
      if (changed('hubspot_owner_id')) p.hubspot_owner_assigneddate = at;
    }
    if (obj.type === 'deals') {
      p.pipeline ??= 'default';
      const stage = this.pipelines.get(p.pipeline)?.stages.find((st) => st.id === p.dealstage);
      const closed = stage?.metadata.isClosed === 'true';
      p.hs_is_closed = String(closed);
      p.hs_is_closed_won = String(closed && Number(stage?.metadata.probability) === 1);
    }
    if (obj.type === 'tasks') {
      p.hs_task_status ??= 'NOT_STARTED';
      if (changed('hs_task_status') && p.hs_task_status === 'COMPLETED') p.hs_task_completion_date = at;
      if (p.hs_task_status !== 'COMPLETED') delete p.hs_task_completion_date;
    }
    obj.updatedAt = at;
    this.snapshotForSearch(obj);
  }

  private snapshotForSearch(obj: StoredObject): void {
    const key = `${obj.type}:${obj.id}`;
    const history = this.indexed.get(key) ?? [];
    history.push({ at: this.clock().getTime(), properties: obj.archived ? {} : { ...obj.properties } });
    if (history.length > 20) history.splice(0, history.length - 20);
    this.indexed.set(key, history);
  }

  // ----------------------------------------------------------------------------------------------------------
  // Search (eventually consistent)
  // ----------------------------------------------------------------------------------------------------------

  search(type: ObjectType, request: SearchRequest): { total: number; results: PublicObject[]; after?: string } {
    const groups = request.filterGroups ?? [];
    const filterCount = groups.reduce((n, g) => n + (g.filters?.length ?? 0), 0);
    if (groups.length > 5 || groups.some((g) => (g.filters?.length ?? 0) > 6) || filterCount > 18) {
      throw badRequest('Search allows at most 5 filterGroups, 6 filters per group and 18 filters in total');
    }
    const limit = request.limit ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badRequest(`limit ${limit} must be 1..200`);
    const visibleBefore = this.clock().getTime() - this.searchIndexLagMs;
    const rows: { obj: StoredObject; values: Record<string, string> }[] = [];
    for (const obj of this.objects.get(type)!.values()) {
      const snapshot = (this.indexed.get(`${type}:${obj.id}`) ?? []).filter((h) => h.at <= visibleBefore).pop();
      if (!snapshot || !snapshot.properties.hs_object_id) continue;
      const values = snapshot.properties;
      const matches =
        groups.length === 0 || groups.some((g) => (g.filters ?? []).every((f) => matchesFilter(values, f)));
      if (matches) rows.push({ obj, values });
    }
    const sort = request.sorts?.[0];
    const sortName = typeof sort === 'string' ? sort.replace(/^-/, '') : (sort?.propertyName ?? 'hs_object_id');
    const descending = typeof sort === 'string' ? sort.startsWith('-') : sort?.direction === 'DESCENDING';
    rows.sort((a, b) => compareValues(a.values[sortName], b.values[sortName]) * (descending ? -1 : 1));
    const start = Number(request.after ?? 0) || 0;
    const page = rows.slice(start, start + limit);
    return {
      total: rows.length,
      results: page.map((r) => this.publicFrom(r.obj, r.values, request.properties)),
      after: start + limit < rows.length ? String(start + limit) : undefined,
    };
  }

  // ----------------------------------------------------------------------------------------------------------
  // Associations
  // ----------------------------------------------------------------------------------------------------------

  private validateAssociations(
    fromType: ObjectType,
    associations: AssociationInput[],
  ): { toType: ObjectType; toId: string; typeId: number }[] {
    if (!Array.isArray(associations)) throw badRequest('associations must be an array');
    const targets: { toType: ObjectType; toId: string; typeId: number }[] = [];
    for (const a of associations) {
      const toId = String(a?.to?.id ?? '');
      for (const t of a?.types ?? []) {
        const type = ASSOCIATION_TYPES.find((x) => x.from === fromType && x.typeId === t.associationTypeId);
        if (t.associationCategory !== 'HUBSPOT_DEFINED' || !type) {
          throw badRequest(
            `${t.associationCategory} association type ${t.associationTypeId} is not valid from ${fromType}`,
            { associationTypeId: [String(t.associationTypeId)] },
          );
        }
        if (!this.get(type.to, toId)) {
          throw badRequest(`Association target ${SINGULAR[type.to]} ${toId} does not exist`, { id: [toId] });
        }
        targets.push({ toType: type.to, toId, typeId: type.typeId });
      }
    }
    return targets;
  }

  /** Associates two records with a type id valid in that direction (and its inverse the other way). */
  associate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId?: number): number {
    const type = ASSOCIATION_TYPES.find(
      (x) => x.from === fromType && x.to === toType && (typeId === undefined ? x.isDefault : x.typeId === typeId),
    );
    if (!type) {
      throw badRequest(`association type ${typeId ?? 'default'} is not valid from ${fromType} to ${toType}`);
    }
    if (!this.get(fromType, fromId)) throw notFound(`${SINGULAR[fromType]} ${fromId} does not exist`, { id: [fromId] });
    if (!this.get(toType, toId)) throw notFound(`${SINGULAR[toType]} ${toId} does not exist`, { id: [toId] });
    const add = (ft: ObjectType, fi: string, tt: ObjectType, ti: string, id: number) => {
      const key = `${ft}:${fi}`;
      const targets = this.edges.get(key) ?? new Map<string, Set<number>>();
      const ids = targets.get(`${tt}:${ti}`) ?? new Set<number>();
      ids.add(id);
      targets.set(`${tt}:${ti}`, ids);
      this.edges.set(key, targets);
    };
    add(fromType, fromId, toType, toId, type.typeId);
    add(toType, toId, fromType, fromId, type.inverseTypeId);
    if (!type.isDefault) {
      // A labelled association (e.g. Primary) always comes with the unlabeled one.
      const plain = ASSOCIATION_TYPES.find((x) => x.from === fromType && x.to === toType && x.isDefault)!;
      add(fromType, fromId, toType, toId, plain.typeId);
      add(toType, toId, fromType, fromId, plain.inverseTypeId);
    }
    return type.typeId;
  }

  dissociate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): void {
    this.edges.get(`${fromType}:${fromId}`)?.delete(`${toType}:${toId}`);
    this.edges.get(`${toType}:${toId}`)?.delete(`${fromType}:${fromId}`);
  }

  /** Records of `toType` associated with a record, by ascending id, archived ones excluded. */
  associations(fromType: ObjectType, fromId: string, toType: ObjectType): AssociatedRecord[] {
    const out: AssociatedRecord[] = [];
    for (const [target, ids] of this.edges.get(`${fromType}:${fromId}`) ?? []) {
      const [type, id] = target.split(':') as [ObjectType, string];
      if (type !== toType || !this.get(type, id)) continue;
      out.push({ toObjectId: id, typeIds: [...ids].sort((a, b) => a - b) });
    }
    return out.sort((a, b) => compareValues(a.toObjectId, b.toObjectId));
  }

  // ----------------------------------------------------------------------------------------------------------
  // Owners, lists, events
  // ----------------------------------------------------------------------------------------------------------

  addOwner(input: { id: string; email: string; firstName: string; lastName: string }): Owner {
    const at = this.now();
    const userId = Number(input.id) + 1_000_000;
    const owner: Owner = {
      ...input,
      userId,
      userIdIncludingInactive: userId,
      type: 'PERSON',
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    this.owners.push(owner);
    return owner;
  }

  addList(input: { listId: string; name: string; processingType?: StaticList['processingType'] }): StaticList {
    const at = this.now();
    const list: StaticList = {
      listId: input.listId,
      name: input.name,
      objectTypeId: OBJECT_TYPE_IDS.contacts,
      processingType: input.processingType ?? 'MANUAL',
      createdAt: at,
      updatedAt: at,
      members: new Map(),
    };
    this.lists.set(list.listId, list);
    return list;
  }

  requireList(listId: string): StaticList {
    const list = this.lists.get(listId);
    if (!list) throw notFound(`List ${listId} does not exist.`, { listId: [listId] });
    return list;
  }

  /** `PUT /crm/v3/lists/{listId}/memberships/add`: adds existing records; reports the ones that do not exist. */
  addListMembers(listId: string, recordIds: string[]): { added: string[]; missing: string[] } {
    const list = this.requireList(listId);
    if (list.processingType === 'DYNAMIC') {
      throw badRequest(`List ${listId} is a DYNAMIC list; memberships can only be changed on MANUAL or SNAPSHOT lists`);
    }
    const added: string[] = [];
    const missing: string[] = [];
    for (const id of recordIds) {
      if (!this.get('contacts', id)) missing.push(id);
      else if (!list.members.has(id)) {
        list.members.set(id, this.now());
        added.push(id);
      }
    }
    if (added.length) list.updatedAt = this.now();
    return { added, missing };
  }

  listMembers(listId: string): string[] {
    return [...this.requireList(listId).members.keys()];
  }

  addWebEvent(input: Omit<WebEvent, 'id' | 'objectType'> & { objectType?: string }): WebEvent {
    const event: WebEvent = { objectType: 'CONTACT', ...input, id: `sandbox-${this.webEvents.length + 1}` };
    this.webEvents.push(event);
    return event;
  }

  // ----------------------------------------------------------------------------------------------------------
  // State for GET /_sandbox/state
  // ----------------------------------------------------------------------------------------------------------

  snapshot(): unknown {
    const objects = Object.fromEntries(OBJECT_TYPES.map((t) => [t, this.all(t)]));
    const associations: { from: string; to: string; typeIds: number[] }[] = [];
    for (const [from, targets] of this.edges) {
      for (const [to, ids] of targets) associations.push({ from, to, typeIds: [...ids] });
    }
    return {
      ...objects,
      owners: this.owners,
      lists: [...this.lists.values()].map((l) => ({ ...l, members: Object.fromEntries(l.members) })),
      associations,
      properties: Object.fromEntries(
        OBJECT_TYPES.map((t) => [t, this.propertyDefinitions(t).filter((p) => !p.hubspotDefined)]),
      ),
      propertyGroups: Object.fromEntries(OBJECT_TYPES.map((t) => [t, this.propertyGroups(t)])),
      pipelines: [...this.pipelines.values()],
      webEvents: this.webEvents,
    };
  }
}

function isBehind(next: string, current: string): boolean {
  const order = LIFECYCLE_ORDER as readonly string[];
  const a = order.indexOf(next);
  const b = order.indexOf(current);
  return a >= 0 && b >= 0 && a < b;
}

function compareValues(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.localeCompare(b);
}

function matchesFilter(values: Record<string, string>, f: SearchFilter): boolean {
  const actual = values[f.propertyName];
  const eq = (v: unknown) => actual !== undefined && compareValues(actual.toLowerCase(), String(v).toLowerCase()) === 0;
  switch (f.operator) {
    case 'EQ':
      return eq(f.value);
    case 'NEQ':
      return !eq(f.value);
    case 'IN':
      return (f.values ?? []).some(eq);
    case 'NOT_IN':
      return !(f.values ?? []).some(eq);
    case 'HAS_PROPERTY':
      return actual !== undefined;
    case 'NOT_HAS_PROPERTY':
      return actual === undefined;
    case 'LT':
      return actual !== undefined && compareValues(actual, String(f.value)) < 0;
    case 'LTE':
      return actual !== undefined && compareValues(actual, String(f.value)) <= 0;
    case 'GT':
      return actual !== undefined && compareValues(actual, String(f.value)) > 0;
    case 'GTE':
      return actual !== undefined && compareValues(actual, String(f.value)) >= 0;
    case 'BETWEEN':
      return (
        actual !== undefined &&
        compareValues(actual, String(f.value)) >= 0 &&
        compareValues(actual, String(f.highValue)) <= 0
      );
    case 'CONTAINS_TOKEN':
      return actual !== undefined && actual.toLowerCase().includes(String(f.value).replace(/\*/g, '').toLowerCase());
    default:
      throw badRequest(`Unknown filter operator ${f.operator}`, { operator: [f.operator] });
  }
}
