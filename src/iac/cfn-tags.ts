/**
 * CloudFormation's short-form intrinsic functions as custom tags of the `yaml` package: `!Ref X`
 * reads as `{ Ref: X }`, `!Sub …` as `{ 'Fn::Sub': … }`, so a YAML template and its JSON form parse
 * to the same data ("Intrinsic function reference", CloudFormation User Guide).
 */
import type { ScalarTag, CollectionTag } from 'yaml';

/** The functions that have a `!Name` short form, each written `Fn::Name` in long form. */
const FUNCTIONS = [
  'Base64',
  'Cidr',
  'Contains',
  'EachMemberEquals',
  'EachMemberIn',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'RefAll',
  'ValueOf',
  'ValueOfAll',
  'ToJsonString',
  'Length',
];

/** `!GetAtt Res.Attr.Sub` names attribute `Attr.Sub` of `Res`: only the first dot separates. */
function getAttArgs(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

/** Every short-form tag, on a scalar, a sequence and a mapping (`!If [...]`, `!Sub [text, {vars}]`). */
export const CFN_TAGS: Array<ScalarTag | CollectionTag> = [
  { tag: '!Ref', resolve: (v: string) => ({ Ref: v }) },
  { tag: '!Condition', resolve: (v: string) => ({ Condition: v }) },
  ...FUNCTIONS.flatMap((name) => [
    {
      tag: `!${name}`,
      resolve: (v: string) => ({ [`Fn::${name}`]: name === 'GetAtt' ? getAttArgs(v) : v }),
    },
    {
      tag: `!${name}`,
      collection: 'seq' as const,
      resolve: (v: { toJSON(): unknown }) => ({ [`Fn::${name}`]: v.toJSON() }),
    },
    {
      tag: `!${name}`,
      collection: 'map' as const,
      resolve: (v: { toJSON(): unknown }) => ({ [`Fn::${name}`]: v.toJSON() }),
    },
  ]),
];
