/** The shape of AWS names the inputs and the logs carry. */

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The shape of an AWS region name, such as us-east-1. */
export function isRegionName(value: string): boolean {
  return REGION.test(value);
}
