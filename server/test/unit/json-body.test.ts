import fc from 'fast-check';
import { repeatedMember } from '../../src/http/json-body.js';

test('repeatedMember finds a name an object holds twice, at any depth, and nothing else', () => {
  expect(repeatedMember('{"a":1,"a":2}')).toBe('a');
  expect(repeatedMember('{"a":{"b":1,"c":{},"b":2}}')).toBe('b');
  expect(repeatedMember('{"a":[{"x":1}],"a":2}')).toBe('a');
  expect(repeatedMember('{"\\"":1,"\\u0022":2}')).toBe('"');
  expect(repeatedMember('[{"a":1},{"a":2}]')).toBeUndefined();
  expect(repeatedMember('{"a":{"a":{"a":1}},"b":"a","c":["a","a"]}')).toBeUndefined();
  expect(repeatedMember('"a"')).toBeUndefined();
});

test('JSON.stringify never writes a name twice, and repeatedMember agrees', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      expect(repeatedMember(JSON.stringify(value))).toBeUndefined();
      expect(repeatedMember(JSON.stringify(value, null, 2))).toBeUndefined();
    }),
  );
});
