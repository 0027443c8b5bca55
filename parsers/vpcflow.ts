/** vpcflow parser — being written (see the parsers issues). */
import { lineParser, ParseError, type Parser } from './types';

export const vpcflowParser: Parser = lineParser('vpcflow', () => new ParseError('vpcflow parser not implemented yet'));
