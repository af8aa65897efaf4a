import { css } from 'lit';
import { dark, light } from './theme.js';

export const styles = css`
  :host {
    display: block;
    font-family: var(--news-forum-font-family, inherit);
    font-size: var(--news-forum-font-size, 1rem);
    line-height: 1.45;
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    ${light}
    color: var(--_text);
    background: var(--_bg);
    padding: calc(var(--_gap) * 2);
    border-radius: var(--_radius);
  }
  .base.dark {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    .base.auto {
      ${dark}
    }
  }

  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    padding: 0.3em 0.8em;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-text);
    font-weight: 600;
  }
  button.link {
    border: 0;
    background: none;
    padding: 0;
    color: var(--_accent);
    text-decoration: underline;
    text-underline-offset: 0.15em;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  a {
    color: var(--_accent);
  }

  .header {
    position: relative;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap) calc(var(--_gap) * 2);
    padding-bottom: var(--_gap);
    border-bottom: 1px solid var(--_border);
  }
  .brand {
    font-weight: 700;
    font-size: 1.1em;
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    font-size: 0.85em;
    color: var(--_muted);
  }
  .dot {
    width: 0.6em;
    height: 0.6em;
    border-radius: 50%;
    background: var(--_muted);
  }
  .status[data-status='live'] .dot {
    background: var(--_ok);
  }
  .status[data-status='reconnecting'] .dot,
  .status[data-status='connecting'] .dot {
    background: var(--_warn);
    animation: pulse 1.2s ease-in-out infinite;
  }
  .account {
    margin-left: auto;
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
  }
  .who {
    color: var(--_muted);
    font-size: 0.9em;
    overflow-wrap: anywhere;
  }
  /*
   * What readers wrote takes the direction of its own first letters, and no
   * control character in it (a right-to-left override) reaches past it: a
   * title could otherwise turn the link's domain shown after it around.
   */
  .title,
  .text,
  strong {
    unicode-bidi: plaintext;
  }
  .status-detail,
  .notice {
    margin: var(--_gap) 0 0;
    padding: var(--_gap) calc(var(--_gap) * 1.5);
    border-radius: var(--_radius);
    background: var(--_surface);
    border-left: 4px solid var(--_warn);
  }
  .notice {
    display: flex;
    justify-content: space-between;
    gap: var(--_gap);
    border-left-color: var(--_accent);
  }
  .notice.error {
    border-left-color: var(--_danger);
  }
  .notice .link {
    color: var(--_muted);
    text-decoration: none;
    font-size: 1.2em;
    line-height: 1;
  }

  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
    margin: var(--_gap) 0;
  }
  .sorts {
    display: flex;
  }
  .presence {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .sort {
    border-radius: 0;
    margin-left: -1px;
  }
  .sort:first-child {
    border-radius: var(--_radius) 0 0 var(--_radius);
  }
  .sort:last-child {
    border-radius: 0 var(--_radius) var(--_radius) 0;
  }
  .sort[aria-pressed='true'] {
    background: var(--_text);
    border-color: var(--_text);
    color: var(--_bg);
    position: relative;
  }
  .new-posts {
    margin-left: auto;
    border-radius: 999px;
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-text);
    font-weight: 600;
    animation: arrive 0.3s ease-out;
  }

  .posts {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .post {
    display: grid;
    grid-template-columns: auto 1fr;
    align-items: start;
    gap: var(--_gap);
    padding: var(--_gap) 0;
    border-bottom: 1px solid var(--_border);
    animation: arrive 0.3s ease-out;
  }
  .votes {
    display: grid;
    justify-items: center;
    min-width: 2.2em;
  }
  .vote {
    display: grid;
    place-items: center;
    width: 2em;
    height: 1.5em;
    padding: 0;
    border-color: transparent;
    background: none;
    color: var(--_muted);
  }
  .vote:hover {
    background: var(--_surface);
  }
  .vote svg {
    width: 0.9em;
    height: 0.9em;
    fill: currentColor;
  }
  .vote.up[aria-pressed='true'] {
    color: var(--_accent);
  }
  .vote.down[aria-pressed='true'] {
    color: var(--_down);
  }
  .score {
    font-weight: 700;
    font-variant-numeric: tabular-nums;
  }
  .body {
    min-width: 0;
  }
  .title {
    font-weight: 600;
    font-size: 1.05em;
    color: var(--_text);
    text-decoration: none;
    text-align: start;
    overflow-wrap: anywhere;
  }
  a.title:hover,
  button.title:hover {
    text-decoration: underline;
  }
  button.title.link {
    color: var(--_text);
    text-decoration: none;
  }
  .domain,
  .meta {
    color: var(--_muted);
    font-size: 0.85em;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.2em 0.8em;
    margin-top: 0.15em;
  }
  .meta .link {
    color: var(--_muted);
  }

  .back {
    margin: var(--_gap) 0;
  }
  /*
   * The room of the posts while they load, so the page does not jump when they
   * arrive: a post's height (two vote buttons of 1.5em around the score's
   * line, padding and border) for each, at most the window's height.
   */
  .reserve {
    max-height: 100vh;
    overflow: hidden;
  }
  .reserve div {
    height: calc(4.45em + 2 * var(--_gap) + 1px);
  }
  .placeholder,
  .empty {
    color: var(--_muted);
    padding: var(--_gap) 0;
  }
  [hidden] {
    display: none !important;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }

  /* A bar at the start edge, not a tint: text keeps its contrast while it fades. */
  @keyframes arrive {
    from {
      box-shadow: inset 3px 0 0 var(--_accent);
    }
  }
  @keyframes pulse {
    50% {
      opacity: 0.35;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation: none !important;
      transition: none !important;
    }
  }
`;
