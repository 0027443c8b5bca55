/** lambda parser — being written (see the parsers issues). */
import { lineParser, ParseError, type Parser } from './types';

export const lambdaParser: Parser = lineParser('lambda', () => new ParseError('lambda parser not implemented yet'));
