import type { NewsForumError } from '@news-forum/sdk';

/** The member a validation error points at, as a form labels it: `/body/displayName` is "Display name". */
function fieldName(pointer: string): string {
  const member = pointer.split('/').at(-1) ?? '';
  if (member === 'url') return 'Link';
  const words = member.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'The request';
}

/** A sentence for the reader: the server's own words when it answered, else what went wrong on the way. */
export function describeError(error: NewsForumError): string {
  switch (error.code) {
    case 'api_error': {
      const problem = error.problem;
      const fields = problem?.errors?.map((entry) => `${fieldName(entry.pointer)} ${entry.detail}`).join('; ');
      return fields || problem?.detail || problem?.title || error.message;
    }
    case 'timeout':
      return 'The forum did not answer in time. Please try again.';
    case 'aborted':
      return 'Cancelled.';
    default:
      return 'Cannot reach the forum. It may be down, or it may not allow this site.';
  }
}

/** An attribute naming an address: the forum's (`api`) or the discussed page's (`page`). */
export type AddressAttribute = 'api' | 'page';

/** What the element shows in place of the forum when `attribute` names an address it cannot use. */
export function describeUnusable(attribute: AddressAttribute): string {
  return attribute === 'api'
    ? 'This forum cannot be shown: its address (the api attribute) is not an http(s) URL.'
    : "This discussion cannot be shown: its page's address (the page attribute, else the page's own) is not an http(s) URL the forum accepts.";
}
