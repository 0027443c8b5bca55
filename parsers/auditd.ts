/** auditd parser — being written (see the parsers issues). */
import { lineParser, ParseError, type Parser } from './types';

export const auditdParser: Parser = lineParser('auditd', () => new ParseError('auditd parser not implemented yet'));
