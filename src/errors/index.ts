/** The error catalogue (codes, statuses, retry advice, meanings) and what renders from it. */
export * from './catalogue';
export { ERRORS_TABLE_END, ERRORS_TABLE_START, renderErrorTables } from './readme-table';
