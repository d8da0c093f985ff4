/**
 * GitHub's own parser for workflow files and action.yml (`@actions/workflow-parser`, the parser
 * behind the GitHub Actions extension for VS Code), loadable from Jest's ESM tests.
 *
 * The package cannot be imported directly: it imports its JSON schemas without import attributes,
 * which Node rejects (ERR_IMPORT_ATTRIBUTE_MISSING). build-workflow-parser.mjs bundles it once with
 * esbuild into node_modules/.cache/workflow-parser/ (in a child Node process, so esbuild never runs
 * inside Jest's VM context), and this module imports that bundle.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Workflows from '@actions/workflow-parser';
import type * as Actions from '@actions/workflow-parser/actions/index';
import type * as Expressions from '@actions/expressions';
import type { truthy } from '@actions/expressions/result';

export type { WorkflowTemplate } from '@actions/workflow-parser';
export type { ActionTemplate } from '@actions/workflow-parser/actions/index';

export interface WorkflowParser {
  parseWorkflow: typeof Workflows.parseWorkflow;
  convertWorkflowTemplate: typeof Workflows.convertWorkflowTemplate;
  NoOperationTraceWriter: typeof Workflows.NoOperationTraceWriter;
  parseAction: typeof Actions.parseAction;
  convertActionTemplate: typeof Actions.convertActionTemplate;
  Lexer: typeof Expressions.Lexer;
  Parser: typeof Expressions.Parser;
  Evaluator: typeof Expressions.Evaluator;
  data: typeof Expressions.data;
  truthy: typeof truthy;
}

const BUILD_SCRIPT = join(process.cwd(), 'test', 'helpers', 'build-workflow-parser.mjs');

let loaded: Promise<WorkflowParser> | undefined;

/** Bundles the parser when the cached bundle is missing or stale, then imports it (once). */
export function loadWorkflowParser(): Promise<WorkflowParser> {
  loaded ??= (async () => {
    const bundle = execFileSync(process.execPath, [BUILD_SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    return (await import(pathToFileURL(bundle).href)) as WorkflowParser;
  })();
  return loaded;
}

export interface Parsed<T> {
  /** Every error the parser reported, as "name (Line: l, Col: c): message". Empty when valid. */
  errors: string[];
  /** The typed model; undefined when the file could not be read at all. */
  template: T | undefined;
}

/**
 * Parses and converts a workflow the way GitHub does before running it: schema validation
 * (keys, values, contexts allowed in each expression, cron syntax, job graph), then conversion
 * to the typed WorkflowTemplate, whose own errors are included.
 */
export async function parseWorkflowFile(
  name: string,
  content: string,
): Promise<Parsed<Workflows.WorkflowTemplate>> {
  const parser = await loadWorkflowParser();
  const result = parser.parseWorkflow({ name, content }, new parser.NoOperationTraceWriter());
  let template: Workflows.WorkflowTemplate | undefined;
  if (result.value) {
    template = await parser.convertWorkflowTemplate(result.context, result.value);
  }
  const errors = new Set(result.context.errors.getErrors().map((e) => e.message));
  for (const e of template?.errors ?? []) errors.add(e.Message);
  return { errors: [...errors], template };
}

/** Parses action.yml against GitHub's action metadata schema (action-v1.0.json). */
export async function parseActionFile(
  name: string,
  content: string,
): Promise<Parsed<Actions.ActionTemplate>> {
  const parser = await loadWorkflowParser();
  const result = parser.parseAction({ name, content }, new parser.NoOperationTraceWriter());
  const template = result.value ? parser.convertActionTemplate(result.context, result.value) : undefined;
  return { errors: result.context.errors.getErrors().map((e) => e.message), template };
}

/** Evaluates an expression (with or without `${{ }}`) against plain JSON contexts. */
async function evaluate(
  expression: string,
  contexts: Record<string, unknown>,
): Promise<Expressions.data.ExpressionData> {
  const { Lexer, Parser, Evaluator, data } = await loadWorkflowParser();
  const source = expression.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const lexed = new Lexer(source).lex();
  const tree = new Parser(lexed.tokens, Object.keys(contexts), []).parse();
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as InstanceType<typeof data.Dictionary>;
  return new Evaluator(tree, context).evaluate();
}

/**
 * Evaluates an expression (an `if:` condition, with or without `${{ }}`) with GitHub's expression
 * engine against plain JSON contexts, e.g. `{ github: { event_name: 'push' }, vars: {} }`.
 * Returns its truthiness, as the runner decides whether to run a job or step.
 */
export async function evaluateCondition(
  expression: string,
  contexts: Record<string, unknown>,
): Promise<boolean> {
  const { truthy } = await loadWorkflowParser();
  return truthy(await evaluate(expression, contexts));
}

/** The string an expression gives a string field (such as a job's environment name). */
export async function evaluateString(expression: string, contexts: Record<string, unknown>): Promise<string> {
  return (await evaluate(expression, contexts)).coerceString();
}
