import { sql, type SelectQueryBuilder } from "kysely";

/** What a list request asks for: at most `limit` items, after the id `cursor` (the previous page's `nextCursor`). */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

/** One page: its items, and the cursor of the next page (null on the last one). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * One page of a query, in id order (ids count up, so that is also creation order): the rows after
 * the cursor, one more than the limit read to know whether another page follows. Every list of the
 * server pages this way (keys, the audit log), so a cursor means the same everywhere.
 */
export async function paginate<DB, TB extends keyof DB, Row extends { id: string }, Item>(
  query: SelectQueryBuilder<DB, TB, Row>,
  request: PageRequest,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const id = sql.ref<string>("id");
  const after = request.cursor ? query.where(id, ">", request.cursor) : query;
  const rows = await after
    .orderBy(id)
    .limit(request.limit + 1)
    .execute();
  const page = rows.slice(0, request.limit);
  return { items: page.map(toItem), nextCursor: rows.length > request.limit ? page[page.length - 1].id : null };
}
