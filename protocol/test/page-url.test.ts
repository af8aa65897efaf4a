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

  test('spells percent-encodings one way: unreserved characters decoded, the rest in upper case', () => {
    const plain = 'https://blog.example.com/post-7';
    for (const spelling of ['/%70ost-7', '/post%2D7', '/post%2d7', '/%70%6F%73%74-%37'])
      expect(normalisePageUrl(`https://blog.example.com${spelling}`)).toBe(plain);
    expect(normalisePageUrl('https://b.example/a%2fb%3f%e2%82%ac~')).toBe('https://b.example/a%2Fb%3F%E2%82%AC~');
    expect(normalisePageUrl('https://b.example/caf%C3%A9')).toBe(normalisePageUrl('https://b.example/café'));
    // Other pages, however alike: a site may serve them differently.
    expect(normalisePageUrl('https://b.example/a//b')).not.toBe(normalisePageUrl('https://b.example/a/b'));
    expect(normalisePageUrl('https://b.example/a/')).not.toBe(normalisePageUrl('https://b.example/a'));
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
