/** elb parser — being written (see the parsers issues). */
import { lineParser, ParseError, type Parser } from './types';

export const elbParser: Parser = lineParser('elb', () => new ParseError('elb parser not implemented yet'));
