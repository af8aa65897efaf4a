import { css } from 'lit';

/** Styles of the parts loaded on first use: the forms, and a post with its discussion. */
export const partStyles = css`
  .unread-count {
    display: inline-block;
    min-width: 1.4em;
    padding: 0 0.3em;
    border-radius: 0.7em;
    background: var(--_accent);
    color: var(--_accent-text);
    font-size: 0.8em;
    text-align: center;
  }
  /* Under the header, at its end and within its width: the button it opens from may sit near the start on a phone. */
  .notification-list {
    position: absolute;
    right: 0;
    z-index: 1;
    width: min(22rem, 100%);
    max-height: 20rem;
    overflow: auto;
    padding: var(--_gap);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .notification-list ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .notification-list li {
    padding: 0.25em 0;
  }
  .notification-list li button {
    text-align: start;
    overflow-wrap: anywhere;
  }
  .notification-list li.unread button {
    font-weight: 600;
  }
  .notification-list time {
    color: var(--_muted);
    font-size: 0.85em;
  }
  .comments {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  button.danger {
    background: var(--_danger);
    border-color: var(--_danger);
    color: var(--_bg);
  }
  /* A delete link is a red text link like Edit and Reply: button.danger (as specific, and later) paints a background. */
  button.link.danger {
    color: var(--_danger);
    background: none;
  }
  [aria-disabled='true'] {
    opacity: 0.6;
    cursor: progress;
  }
  .panel {
    display: grid;
    gap: var(--_gap);
    margin-top: var(--_gap);
    padding: calc(var(--_gap) * 2);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  label {
    display: grid;
    gap: 0.25em;
    font-weight: 600;
  }
  input,
  textarea {
    font: inherit;
    color: inherit;
    font-weight: 400;
    padding: 0.4em 0.6em;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    min-width: 0;
  }
  textarea {
    resize: vertical;
  }
  .hint {
    margin: 0;
    font-weight: 400;
    font-size: 0.85em;
    color: var(--_muted);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
  }
  .form-error {
    margin: 0;
    color: var(--_danger);
    font-weight: 600;
  }

  .post.open {
    border-bottom: 0;
  }
  h2 {
    margin: 0;
    font-size: 1.3em;
  }
  h2 .title {
    font-size: 1em;
  }
  .author {
    color: var(--_text);
  }
  .text {
    margin: 0.3em 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .confirm {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.5em;
  }
  .discussion {
    margin-top: var(--_gap);
    padding-top: var(--_gap);
    border-top: 1px solid var(--_border);
  }
  .comment-form {
    display: grid;
    gap: var(--_gap);
    margin: var(--_gap) 0;
  }
  .comment {
    padding: var(--_gap) 0 0;
    animation: arrive 0.3s ease-out;
  }
  .comment .comments {
    margin-left: 0.4em;
    padding-left: calc(var(--_gap) * 2);
    border-left: 2px solid var(--_border);
  }
  .actions {
    display: flex;
    gap: calc(var(--_gap) * 2);
    font-size: 0.85em;
  }
  .moderation-form {
    display: grid;
    gap: var(--_gap);
    margin: var(--_gap) 0;
  }
  .edited,
  .flags,
  .flagged,
  .badge {
    color: var(--_muted);
    font-size: 0.85em;
  }
  .badge {
    border: 1px solid currentColor;
    border-radius: 0.3em;
    padding: 0 0.3em;
  }
  .comment.hidden > .text,
  .removed {
    font-style: italic;
    color: var(--_muted);
  }
  .locked {
    border-left: 3px solid var(--_border);
    padding-left: var(--_gap);
  }
`;
