using System.Globalization;
using Tsdb.Query.InfluxQL.Ast;

namespace Tsdb.Query.InfluxQL.Parsing;

/// <summary>Queries, statement dispatch (as 1.x's parse tree, with its "expected" lists), SELECT and its clauses.</summary>
internal sealed partial class Parser
{
    private static readonly string[] StatementStarts =
        ["SELECT", "DELETE", "SHOW", "CREATE", "DROP", "EXPLAIN", "GRANT", "REVOKE", "ALTER", "SET", "KILL"];

    private static readonly string[] CreateKinds = ["CONTINUOUS", "DATABASE", "USER", "RETENTION", "SUBSCRIPTION"];

    private static readonly string[] DropKinds =
        ["CONTINUOUS", "DATABASE", "MEASUREMENT", "RETENTION", "SERIES", "SHARD", "SUBSCRIPTION", "USER"];

    /// <summary>Statements separated by ';'; empty statements and a trailing ';' are allowed.</summary>
    public List<Statement> ParseQuery()
    {
        var statements = new List<Statement>();
        var afterSemicolon = true;
        while (!At(TokenKind.EndOfInput))
        {
            if (At(TokenKind.Semicolon))
            {
                Advance();
                afterSemicolon = true;
                continue;
            }

            if (!afterSemicolon)
            {
                throw Expected(_current, ";");
            }

            statements.Add(ParseStatement());
            afterSemicolon = false;
        }

        return statements;
    }

    public Statement ParseSingleStatement()
    {
        var statement = ParseStatement();
        if (!At(TokenKind.EndOfInput) && !At(TokenKind.Semicolon))
        {
            throw Expected(_current, ";");
        }

        while (At(TokenKind.Semicolon))
        {
            Advance();
        }

        if (!At(TokenKind.EndOfInput))
        {
            throw Expected(_current, "EOF");
        }

        return statement;
    }

    public InfluxQLExpr ParseSingleExpression()
    {
        var e = ParseExpr();
        if (!At(TokenKind.EndOfInput))
        {
            throw Expected(_current, "EOF");
        }

        return e;
    }

    private Statement ParseStatement()
    {
        var first = _current;
        var keyword = first.Kind == TokenKind.Keyword ? first.Keyword : Keyword.None;
        switch (keyword)
        {
            case Keyword.Select:
                Advance();
                return ParseSelect(first.Start);
            case Keyword.Show:
                Advance();
                return ParseShow(first.Start);
            case Keyword.Explain:
                Advance();
                return ParseExplain(first.Start);
            case Keyword.Delete:
            case Keyword.Grant:
            case Keyword.Revoke:
                Advance();
                return Unsupported(first.Start, Keywords.Text(keyword));
            case Keyword.Create:
                Advance();
                return ParseCreateOrDrop(first.Start, "CREATE", CreateKinds, Keyword.Continuous, Keyword.Database, Keyword.User,
                    Keyword.Retention, Keyword.Subscription);
            case Keyword.Drop:
                Advance();
                return ParseCreateOrDrop(first.Start, "DROP", DropKinds, Keyword.Continuous, Keyword.Database, Keyword.Measurement,
                    Keyword.Retention, Keyword.Series, Keyword.Shard, Keyword.Subscription, Keyword.User);
            case Keyword.Alter:
                Advance();
                return UnsupportedPath(first.Start, "ALTER", Keyword.Retention, Keyword.Policy);
            case Keyword.Set:
                Advance();
                return UnsupportedPath(first.Start, "SET", Keyword.Password, Keyword.For);
            case Keyword.Kill:
                Advance();
                return UnsupportedPath(first.Start, "KILL", Keyword.Query);
            default:
                throw Expected(first, StatementStarts);
        }
    }

    private UnsupportedStatement ParseCreateOrDrop(int start, string verb, string[] expected, params Keyword[] kinds)
    {
        var t = _current;
        if (t.Kind != TokenKind.Keyword || Array.IndexOf(kinds, t.Keyword) < 0)
        {
            throw Expected(t, expected);
        }

        return t.Keyword switch
        {
            Keyword.Continuous => UnsupportedPath(start, verb, Keyword.Continuous, Keyword.Query),
            Keyword.Retention => UnsupportedPath(start, verb, Keyword.Retention, Keyword.Policy),
            _ => UnsupportedPath(start, verb, t.Keyword),
        };
    }

    /// <summary>
    /// A statement InfluxDB 3 refuses: its leading keywords must be there (with 1.x's errors when not); the rest,
    /// up to the next ';' outside parentheses, is skipped unchecked. The kind names the keywords as written in 1.x's
    /// documentation; SHOW GRANTS FOR and SET PASSWORD FOR drop the FOR.
    /// </summary>
    private UnsupportedStatement UnsupportedPath(int start, string verb, params Keyword[] path)
    {
        var words = new List<string> { verb };
        foreach (var keyword in path)
        {
            ExpectKeyword(keyword);
            if (keyword != Keyword.For)
            {
                words.Add(Keywords.Text(keyword));
            }
        }

        return Unsupported(start, string.Join(' ', words));
    }

    private UnsupportedStatement Unsupported(int start, string kind)
    {
        var depth = 0;
        while (!At(TokenKind.EndOfInput) && !(depth == 0 && At(TokenKind.Semicolon)))
        {
            if (At(TokenKind.LeftParen))
            {
                depth++;
            }
            else if (At(TokenKind.RightParen) && depth > 0)
            {
                depth--;
            }

            Advance();
        }

        return new UnsupportedStatement(kind) { Position = start };
    }

    private ExplainStatement ParseExplain(int start)
    {
        var analyze = AcceptKeyword(Keyword.Analyze);
        var verbose = AcceptKeyword(Keyword.Verbose);
        var select = _current;
        ExpectKeyword(Keyword.Select);
        return new ExplainStatement(ParseSelect(select.Start), analyze, verbose) { Position = start };
    }

    /// <summary>SELECT after its keyword; the clauses come in 1.x's fixed order.</summary>
    private SelectStatement ParseSelect(int start)
    {
        var fields = ParseFields();
        var into = ParseInto();
        ExpectKeyword(Keyword.From);
        var sources = ParseSources(subqueries: true);
        var condition = ParseCondition();
        var dimensions = ParseDimensions();
        var (fill, fillValue) = ParseFill();
        var descending = ParseOrderBy();
        var limit = ParseOptionalInt(Keyword.Limit);
        var offset = ParseOptionalInt(Keyword.Offset);
        var slimit = ParseOptionalInt(Keyword.Slimit);
        var soffset = ParseOptionalInt(Keyword.Soffset);
        var timeZone = ParseTimeZone();
        return new SelectStatement
        {
            Position = start,
            Fields = fields,
            Into = into,
            Sources = sources,
            Condition = condition,
            Dimensions = dimensions,
            Fill = fill,
            FillValue = fillValue,
            Descending = descending,
            Limit = limit,
            Offset = offset,
            SLimit = slimit,
            SOffset = soffset,
            TimeZone = timeZone,
        };
    }

    private List<SelectField> ParseFields()
    {
        var fields = new List<SelectField>();
        while (true)
        {
            fields.Add(ParseField());
            if (!At(TokenKind.Comma))
            {
                return fields;
            }

            Advance();
        }
    }

    private SelectField ParseField()
    {
        var start = _current;
        InfluxQLExpr expr;
        if (AtRegex)
        {
            expr = TakeRegex();
        }
        else
        {
            expr = ParseExpr();
            if (FindConditionOperator(expr) is { } op)
            {
                var (line, ch) = LineAndChar(start);
                throw new InfluxQLParseException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"invalid operator {InfluxQLPrinter.OperatorText(op)} in SELECT clause at line {line}, char {ch}; operator is intended for WHERE clause"),
                    start.Start,
                    line,
                    ch);
            }
        }

        string? alias = null;
        if (AcceptKeyword(Keyword.As))
        {
            alias = ParseIdent();
        }

        return new SelectField(expr, alias) { Position = start.Start };
    }

    /// <summary>
    /// A comparison or AND/OR in a field, as 1.x's validateField walk finds it: depth-first, left before right, the
    /// last one found wins, and the operands of a found one are not searched.
    /// </summary>
    private static BinaryOperator? FindConditionOperator(InfluxQLExpr root)
    {
        BinaryOperator? found = null;
        var stack = new Stack<InfluxQLExpr>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case BinaryExpr b when b.Op is >= BinaryOperator.Equal:
                    found = b.Op;
                    break;
                case BinaryExpr b:
                    stack.Push(b.Right);
                    stack.Push(b.Left);
                    break;
                case ParenExpr p:
                    stack.Push(p.Inner);
                    break;
                case UnaryMinusExpr u:
                    stack.Push(u.Operand);
                    break;
                case Call c:
                    for (var i = c.Args.Count - 1; i >= 0; i--)
                    {
                        stack.Push(c.Args[i]);
                    }

                    break;
            }
        }

        return found;
    }

    /// <summary><c>INTO [[db.]rp.]m</c> or <c>INTO [db.[rp].]:MEASUREMENT</c>, kept as canonical text.</summary>
    private string? ParseInto()
    {
        if (!AcceptKeyword(Keyword.Into))
        {
            return null;
        }

        var idents = ParseSegmentedIdents(out _);
        if (idents.Count < 3 && At(TokenKind.Colon) && CurrentIsAdjacent)
        {
            Advance();
            ExpectKeyword(Keyword.Measurement);
            idents.Add(string.Empty);
        }

        string? db = null, rp = null;
        var name = idents[^1];
        if (idents.Count == 3)
        {
            db = idents[0];
            rp = idents[1];
        }
        else if (idents.Count == 2)
        {
            rp = idents[0];
        }

        return InfluxQLPrinter.FormatTarget(db, rp, name);
    }

    private List<Source> ParseSources(bool subqueries)
    {
        var sources = new List<Source>();
        while (true)
        {
            sources.Add(ParseSource(subqueries));
            if (!At(TokenKind.Comma))
            {
                return sources;
            }

            Advance();
        }
    }

    private Source ParseSource(bool subqueries)
    {
        var start = _current.Start;
        if (AtRegex)
        {
            return new MeasurementSource { Position = start, Regex = TakeRegex().Pattern };
        }

        if (subqueries && At(TokenKind.LeftParen))
        {
            Enter();
            Advance();
            var select = _current;
            ExpectKeyword(Keyword.Select);
            var statement = ParseSelect(select.Start);
            Expect(TokenKind.RightParen, ")");
            Leave();
            return new SubquerySource(statement) { Position = start };
        }

        var idents = ParseSegmentedIdents(out var endsWithDot);
        if (idents.Count == 3)
        {
            return new MeasurementSource
            {
                Position = start,
                Database = NullIfEmpty(idents[0]),
                RetentionPolicy = NullIfEmpty(idents[1]),
                Name = idents[2],
            };
        }

        if (endsWithDot && AtRegex)
        {
            var regex = TakeRegex().Pattern;
            return idents.Count == 1
                ? new MeasurementSource { Position = start, RetentionPolicy = NullIfEmpty(idents[0]), Regex = regex }
                : new MeasurementSource
                {
                    Position = start,
                    Database = NullIfEmpty(idents[0]),
                    RetentionPolicy = NullIfEmpty(idents[1]),
                    Regex = regex,
                };
        }

        return idents.Count == 1
            ? new MeasurementSource { Position = start, Name = idents[0] }
            : new MeasurementSource { Position = start, RetentionPolicy = NullIfEmpty(idents[0]), Name = idents[1] };
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private InfluxQLExpr? ParseCondition() => AcceptKeyword(Keyword.Where) ? ParseExpr() : null;

    private List<Dimension> ParseDimensions()
    {
        var dimensions = new List<Dimension>();
        if (!AcceptKeyword(Keyword.Group))
        {
            return dimensions;
        }

        ExpectKeyword(Keyword.By);
        while (true)
        {
            dimensions.Add(ParseDimension());
            if (!At(TokenKind.Comma))
            {
                return dimensions;
            }

            Advance();
        }
    }

    /// <summary>
    /// 1.x parses a dimension as any expression and checks it when compiling; the tree has room only for what that
    /// check lets through, so the check is made here, with 1.x's (positionless) texts.
    /// </summary>
    private Dimension ParseDimension()
    {
        var start = _current.Start;
        if (AtRegex)
        {
            return new RegexDimension(TakeRegex().Pattern) { Position = start };
        }

        var expr = ParseExpr();
        switch (expr)
        {
            case Wildcard { Type: not WildcardType.Field }:
                return new WildcardDimension { Position = start };
            case VarRef v when string.Equals(v.Name, "time", StringComparison.OrdinalIgnoreCase):
                throw Bare(start, "time() is a function and expects at least one argument");
            case VarRef { Type: VarRefType.Unknown or VarRefType.Tag } v:
                return new TagDimension(v.Name) { Position = start };
            case Call { Name: "time" } c:
                if (c.Args.Count is < 1 or > 2)
                {
                    throw Bare(start, "time dimension expected 1 or 2 arguments");
                }

                if (c.Args[0] is not (DurationLiteral or BoundParameter))
                {
                    throw Bare(start, "time dimension must have duration argument");
                }

                InfluxQLExpr? offset = null;
                if (c.Args.Count == 2)
                {
                    offset = c.Args[1];
                    switch (offset)
                    {
                        case DurationLiteral or BoundParameter:
                            break;
                        case Call { Name: "now", Args.Count: 0 }:
                            break;
                        case Call { Name: "now" }:
                            throw Bare(start, "time dimension offset now() function requires no arguments");
                        case Call:
                            throw Bare(start, "time dimension offset function must be now()");
                        default:
                            throw Bare(start, "time dimension offset must be duration or now()");
                    }
                }

                return new TimeDimension(c.Args[0], offset) { Position = start };
            case Call:
                throw Bare(start, "only time() calls allowed in dimensions");
            default:
                throw Bare(start, "only time and tag dimensions allowed");
        }
    }

    private (FillOption Option, InfluxQLExpr? Value) ParseFill()
    {
        if (!At(TokenKind.Identifier) || !string.Equals(_current.Value, "fill", StringComparison.OrdinalIgnoreCase))
        {
            return (FillOption.Null, null);
        }

        var start = _current.Start;
        var expr = ParseExpr();
        if (expr is not Call call)
        {
            throw Bare(start, "fill must be a function call");
        }

        if (call.Args.Count != 1)
        {
            throw Bare(start, "fill requires an argument, e.g.: 0, null, none, previous, linear");
        }

        // 1.x compares the argument's printed form, so the option names are case-sensitive.
        return call.Args[0] switch
        {
            VarRef { Type: VarRefType.Unknown, Name: "null" } => (FillOption.Null, null),
            VarRef { Type: VarRefType.Unknown, Name: "none" } => (FillOption.None, null),
            VarRef { Type: VarRefType.Unknown, Name: "previous" } => (FillOption.Previous, null),
            VarRef { Type: VarRefType.Unknown, Name: "linear" } => (FillOption.Linear, null),
            IntegerLiteral or NumberLiteral => (FillOption.Value, call.Args[0]),
            _ => throw Bare(start, "expected number argument in fill()"),
        };
    }

    /// <summary>ORDER BY [time] [ASC|DESC]: 1.x parses a list of fields and then refuses all but time.</summary>
    private bool ParseOrderBy()
    {
        if (!AcceptKeyword(Keyword.Order))
        {
            return false;
        }

        var start = _current.Start;
        ExpectKeyword(Keyword.By);
        var descending = false;
        if (AtKeyword(Keyword.Asc) || AtKeyword(Keyword.Desc))
        {
            descending = Advance().IsKeyword(Keyword.Desc);
        }
        else if (At(TokenKind.Identifier))
        {
            var name = ParseIdent();
            descending = ParseOptionalDirection();
            if (name != "time")
            {
                throw Bare(start, "only ORDER BY time supported at this time");
            }
        }
        else
        {
            throw Expected(_current, "identifier", "ASC", "DESC");
        }

        var count = 1;
        while (At(TokenKind.Comma))
        {
            Advance();
            ParseIdent();
            ParseOptionalDirection();
            count++;
        }

        if (count > 1)
        {
            throw Bare(start, "only ORDER BY time supported at this time");
        }

        return descending;
    }

    private bool ParseOptionalDirection()
    {
        if (AtKeyword(Keyword.Asc) || AtKeyword(Keyword.Desc))
        {
            return Advance().IsKeyword(Keyword.Desc);
        }

        return false;
    }

    private string? ParseTimeZone()
    {
        if (!At(TokenKind.Identifier) || !string.Equals(_current.Value, "tz", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var start = _current.Start;
        var expr = ParseExpr();
        if (expr is not Call call)
        {
            throw Bare(start, "tz must be a function call");
        }

        if (call.Args.Count != 1)
        {
            throw Bare(start, "tz requires exactly one argument");
        }

        return call.Args[0] is StringLiteral s ? s.Value : throw Bare(start, "expected string argument in tz()");
    }
}
