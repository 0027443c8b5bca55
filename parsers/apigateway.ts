/** apigateway parser — being written (see the parsers issues). */
import { lineParser, ParseError, type Parser } from './types';

export const apigatewayParser: Parser = lineParser('apigateway', () => new ParseError('apigateway parser not implemented yet'));
