import { describe, expect, it } from 'vitest';
import { decodeToolCallId, encodeToolCallId } from '../../../../src/providers/gemini/ids.js';

describe('Gemini tool call ids', () => {
  it('carries a canonical base64 signature without growing it, in id-safe characters', () => {
    const signature = 'rO8UTderW0g54/nm5GnN94k+QHvIwM0ZPEAiEvOx4yUIKCPkoYyoRmDE5zmjh2vCP0FUODjp44vG48weFA==';
    const id = encodeToolCallId({ thoughtSignature: signature });
    expect(id).toMatch(/^gtc_[A-Za-z0-9]{12}__b[A-Za-z0-9_-]+$/);
    expect(id.endsWith('rO8UTderW0g54_nm5GnN94k-QHvIwM0ZPEAiEvOx4yUIKCPkoYyoRmDE5zmjh2vCP0FUODjp44vG48weFA')).toBe(true);
    expect(decodeToolCallId(id)).toEqual({ thoughtSignature: signature });
  });

  it('keeps any other signature byte for byte through its UTF-8 form, with Gemini\'s own id', () => {
    const signature = 'not_base64-at all/é';
    const id = encodeToolCallId({ geminiId: 'fc_1-x', thoughtSignature: signature });
    expect(id).toMatch(/^gtc_[A-Za-z0-9]{12}_66635f312d78_r[A-Za-z0-9_-]+$/);
    expect(decodeToolCallId(id)).toEqual({ geminiId: 'fc_1-x', thoughtSignature: signature });
  });

  it('keeps an unpadded base64 signature unpadded', () => {
    const id = encodeToolCallId({ thoughtSignature: 'abcde' });
    expect(decodeToolCallId(id)).toEqual({ thoughtSignature: 'abcde' });
  });

  it('gives plain unique ids to calls with nothing to carry, and reads nothing from foreign ids', () => {
    const a = encodeToolCallId({});
    const b = encodeToolCallId({});
    expect(a).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(a).not.toBe(b);
    expect(decodeToolCallId(a)).toEqual({});
    expect(decodeToolCallId('toolu_01A09q90qw90lq917835lq9')).toEqual({});
    expect(decodeToolCallId('gtc_abc_zz_bAAAA')).toEqual({});
    expect(decodeToolCallId('gtc_abc__r!!')).toEqual({});
  });
});
