/** app parser — being written (see the parsers issues). */
import { lineParser, ParseError, type Parser } from './types';

export const appParser: Parser = lineParser('app', () => new ParseError('app parser not implemented yet'));
