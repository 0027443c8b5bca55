/** cloudtrail parser — being written (see the parsers issues). */
import { lineParser, ParseError, type Parser } from './types';

export const cloudtrailParser: Parser = lineParser('cloudtrail', () => new ParseError('cloudtrail parser not implemented yet'));
