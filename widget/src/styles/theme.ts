import { css } from 'lit';

// Each public --news-forum-* property overrides one internal --_* value;
// the fallbacks are the light or the dark palette.

/** The light palette, and the settings that do not depend on the theme. */
export const light = css`
  --_gap: var(--news-forum-gap, 0.5rem);
  --_radius: var(--news-forum-radius, 6px);
  --_bg: var(--news-forum-background, #fff);
  --_surface: var(--news-forum-surface, #f4f5f7);
  --_text: var(--news-forum-text, #1b1f24);
  --_muted: var(--news-forum-muted, #57606a);
  --_border: var(--news-forum-border, #d0d7de);
  --_accent: var(--news-forum-accent, #c2410c);
  --_accent-text: var(--news-forum-accent-text, #fff);
  --_down: var(--news-forum-downvote, #4338ca);
  --_danger: var(--news-forum-danger, #b91c1c);
  --_focus: var(--news-forum-focus-ring, #2563eb);
  --_ok: #15803d;
  --_warn: #b45309;
  color-scheme: light;
`;

/** The dark palette. */
export const dark = css`
  --_bg: var(--news-forum-background, #16181d);
  --_surface: var(--news-forum-surface, #21252c);
  --_text: var(--news-forum-text, #e6e8eb);
  --_muted: var(--news-forum-muted, #a3acb8);
  --_border: var(--news-forum-border, #3a414c);
  --_accent: var(--news-forum-accent, #fb923c);
  --_accent-text: var(--news-forum-accent-text, #16181d);
  --_down: var(--news-forum-downvote, #a5b4fc);
  --_danger: var(--news-forum-danger, #f87171);
  --_focus: var(--news-forum-focus-ring, #60a5fa);
  --_ok: #4ade80;
  --_warn: #fbbf24;
  color-scheme: dark;
`;
