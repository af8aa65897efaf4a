import { describe, expect, test } from '@jest/globals';
import { normalisePageUrl } from '../src/index.js';

describe('normalisePageUrl', () => {
  test('lower-cases scheme and host, keeps the path as written', () => {
    expect(normalisePageUrl('HTTPS://Blog.Example.COM/Post-42')).toBe('https://blog.example.com/Post-42');
  });

  test('drops the fragment, tracking parameters and default ports', () => {
    const plain = 'https://blog.example.com/post-42';
    expect(normalisePageUrl(`${plain}#comments`)).toBe(plain);
    expect(normalisePageUrl('https://blog.example.com:443/post-42?utm_source=x&utm_medium=y&fbclid=1&gclid=2')).toBe(plain);
    expect(normalisePageUrl('http://blog.example.com:80/a')).toBe('http://blog.example.com/a');
    expect(normalisePageUrl('http://blog.example.com:8080/a')).toBe('http://blog.example.com:8080/a');
  });

  test('sorts the remaining query parameters, keeping repeated ones in order', () => {
    expect(normalisePageUrl('https://b.example/p?z=1&a=2&utm_campaign=c&a=1')).toBe('https://b.example/p?a=2&a=1&z=1');
  });

  test('refuses what is not an absolute http(s) URL', () => {
    for (const bad of ['', 'blog.example.com/a', '/post-42', 'javascript:alert(1)', 'ftp://b.example/a', 'https://u:p@b.example/']) {
      expect(normalisePageUrl(bad)).toBeNull();
    }
    expect(normalisePageUrl(`https://b.example/${'a'.repeat(3000)}`)).toBeNull();
  });
});
