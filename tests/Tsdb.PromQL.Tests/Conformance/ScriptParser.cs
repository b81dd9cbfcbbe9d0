using System.Globalization;
using Tsdb.PromQL.Parsing;

namespace Tsdb.PromQL.Tests.Conformance;

/// <summary>
/// Reads Prometheus' promqltest scripts (see promql-testdata/FORMAT.md): <c>load</c>, <c>clear</c>, <c>eval</c> with
/// <c>expect</c> lines and expected results. A comment or blank line ends a block.
/// </summary>
internal static class ScriptParser
{
    public static List<ScriptCommand> Parse(string text)
    {
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            lines[i] = trimmed.StartsWith('#') ? "" : trimmed;
        }
        var commands = new List<ScriptCommand>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }
            var lineNumber = i + 1;
            var block = new List<string>();
            while (i + 1 < lines.Length && lines[i + 1].Length > 0 && !IsCommand(lines[i + 1]))
            {
                block.Add(lines[++i]);
            }
            var word = line.Split(' ', 2)[0];
            switch (word)
            {
                case "load" or "load_with_nhcb":
                    commands.Add(ParseLoad(lineNumber, line, block, word == "load_with_nhcb"));
                    break;
                case "clear":
                    commands.Add(new ClearCommand(lineNumber));
                    break;
                case "eval" or "eval_fail" or "eval_warn" or "eval_info" or "eval_ordered":
                    commands.Add(ParseEval(lineNumber, line, block));
                    break;
                default:
                    throw new FormatException($"line {lineNumber}: unknown command {word}");
            }
        }
        return commands;
    }

    private static bool IsCommand(string line)
    {
        var word = line.Split(' ', 2)[0];
        return word is "load" or "load_with_nhcb" or "clear" or "eval" or "eval_fail" or "eval_warn" or "eval_info" or "eval_ordered";
    }

    private static LoadCommand ParseLoad(int lineNumber, string line, List<string> block, bool nhcb)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var interval = ParseDuration(parts[1]);
        var series = new List<ScriptSeries>();
        foreach (var def in block)
        {
            series.Add(ParseSeriesLine(def));
        }
        return new LoadCommand(lineNumber, interval, series, nhcb);
    }

    private static EvalCommand ParseEval(int lineNumber, string line, List<string> block)
    {
        var head = line;
        var word = head.Split(' ', 2)[0];
        var rest = head[word.Length..].TrimStart();
        EvalCommand eval;
        if (rest.StartsWith("instant ", StringComparison.Ordinal))
        {
            // instant at <time> <query>
            var afterAt = rest["instant ".Length..].TrimStart();
            if (!afterAt.StartsWith("at ", StringComparison.Ordinal))
            {
                throw new FormatException($"line {lineNumber}: expected 'at'");
            }
            afterAt = afterAt[3..].TrimStart();
            var space = afterAt.IndexOf(' ', StringComparison.Ordinal);
            var time = ParseTime(afterAt[..space]);
            eval = new EvalCommand(lineNumber, afterAt[(space + 1)..].Trim(), false, time, time, 0);
        }
        else if (rest.StartsWith("range ", StringComparison.Ordinal))
        {
            // range from <start> to <end> step <step> <query>
            var tokens = rest.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length < 8 || tokens[1] != "from" || tokens[3] != "to" || tokens[5] != "step")
            {
                throw new FormatException($"line {lineNumber}: malformed range eval");
            }
            eval = new EvalCommand(lineNumber, tokens[7].Trim(), true, ParseTime(tokens[2]), ParseTime(tokens[4]), ParseDuration(tokens[6]));
        }
        else
        {
            throw new FormatException($"line {lineNumber}: malformed eval");
        }
        switch (word)
        {
            case "eval_fail":
                eval.ExpectFail = true;
                break;
            case "eval_warn":
                eval.ExpectWarn = true;
                break;
            case "eval_info":
                eval.ExpectInfo = true;
                break;
            case "eval_ordered":
                eval.Ordered = true;
                break;
            default:
                break;
        }
        foreach (var def in block)
        {
            if (def.StartsWith("expect ", StringComparison.Ordinal))
            {
                ParseExpect(eval, def["expect ".Length..].Trim(), lineNumber);
                continue;
            }
            if (double.TryParse(def, NumberStyles.Float, CultureInfo.InvariantCulture, out var scalar) || TryParseSpecial(def, out scalar))
            {
                eval.ExpectedScalar = scalar;
                continue;
            }
            eval.ExpectedSeries.Add(ParseSeriesLine(def));
        }
        return eval;
    }

    private static void ParseExpect(EvalCommand eval, string text, int lineNumber)
    {
        var (kind, argument) = SplitWord(text);
        string? msg = null;
        string? regex = null;
        if (argument.StartsWith("msg:", StringComparison.Ordinal))
        {
            msg = argument["msg:".Length..].Trim();
        }
        else if (argument.StartsWith("regex:", StringComparison.Ordinal))
        {
            regex = argument["regex:".Length..].Trim();
        }
        switch (kind)
        {
            case "fail":
                eval.ExpectFail = true;
                eval.FailMessage = msg;
                eval.FailRegex = regex;
                break;
            case "warn":
                eval.ExpectWarn = true;
                eval.WarnMessage = msg;
                break;
            case "no_warn":
                eval.ExpectWarn = false;
                break;
            case "info":
                eval.ExpectInfo = true;
                eval.InfoMessage = msg;
                break;
            case "no_info":
                eval.ExpectInfo = false;
                break;
            case "ordered":
                eval.Ordered = true;
                break;
            case "string":
                eval.ExpectString = Unquote(argument);
                break;
            case "range":
                {
                    // range vector from <start> to <end> step <step>
                    var tokens = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    eval.ExpectRangeVector = (ParseTime(tokens[2]), ParseTime(tokens[4]), ParseDuration(tokens[6]));
                    break;
                }
            default:
                throw new FormatException($"line {lineNumber}: unknown expectation {kind}");
        }
    }

    private static (string Word, string Remainder) SplitWord(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text, "") : (text[..space], text[(space + 1)..].Trim());
    }

    private static string Unquote(string text)
    {
        if (text.Length >= 2 && text[0] == '`' && text[^1] == '`')
        {
            return text[1..^1];
        }
        var tokens = Lexer.Tokenize(text);
        return tokens[0].Text;
    }

    private static bool TryParseSpecial(string text, out double value)
    {
        switch (text.ToLowerInvariant())
        {
            case "inf" or "+inf":
                value = double.PositiveInfinity;
                return true;
            case "-inf":
                value = double.NegativeInfinity;
                return true;
            case "nan":
                value = double.NaN;
                return true;
            default:
                value = 0;
                return false;
        }
    }

    public static long ParseTime(string text)
    {
        if (Parser.TryParseDuration(text, out var ms))
        {
            return ms;
        }
        return (long)Math.Round(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) * 1000);
    }

    public static long ParseDuration(string text) => ParseTime(text);

    /// <summary>A series line: a selector (<c>name{a="b"}</c>) then points in expanding notation.</summary>
    public static ScriptSeries ParseSeriesLine(string line)
    {
        var end = SelectorEnd(line);
        var selectorText = line[..end].Trim();
        var labels = ParseLabels(selectorText);
        var values = new List<double?>();
        var histograms = new List<FloatHistogram?>();
        var i = end;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }
            if (i >= line.Length)
            {
                break;
            }
            if (line.AsSpan(i).StartsWith("{{"))
            {
                // A native histogram ({{a}}, {{a}}xN, {{a}}+{{b}}xN): spaces inside the braces belong to it.
                var start0 = i;
                var depth = 0;
                while (i < line.Length && (depth > 0 || !char.IsWhiteSpace(line[i])))
                {
                    depth += line[i] == '{' ? 1 : line[i] == '}' ? -1 : 0;
                    i++;
                }
                foreach (var h in HistogramNotation.ExpandItem(line[start0..i]))
                {
                    values.Add(null);
                    histograms.Add(h);
                }
                continue;
            }
            var start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i]))
            {
                i++;
            }
            ExpandItem(line[start..i], values);
            while (histograms.Count < values.Count)
            {
                histograms.Add(null);
            }
        }
        return new ScriptSeries(labels, values, histograms);
    }

    private static int SelectorEnd(string line)
    {
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOfAny([' ', '\t']);
        if (brace >= 0 && (space < 0 || brace < space))
        {
            var inQuote = false;
            for (var i = brace; i < line.Length; i++)
            {
                var c = line[i];
                if (c == '\\' && inQuote)
                {
                    i++;
                    continue;
                }
                if (c == '"')
                {
                    inQuote = !inQuote;
                }
                else if (c == '}' && !inQuote)
                {
                    return i + 1;
                }
            }
            throw new FormatException("unterminated selector in: " + line);
        }
        return space < 0 ? line.Length : space;
    }

    private static Labels ParseLabels(string selectorText)
    {
        if (selectorText is "{}" or "")
        {
            return Labels.Empty;
        }
        var matchers = Parser.ParseSelector(selectorText).Matchers;
        return Labels.From(matchers.Select(m => new Label(m.Name, m.Value)));
    }

    /// <summary>One item of the expanding notation: <c>a</c>, <c>_</c>, <c>stale</c>, <c>axN</c>, <c>a+bxN</c>, <c>a-bxN</c>, <c>_xN</c>.</summary>
    private static void ExpandItem(string item, List<double?> values)
    {
        // No hex in this notation: 0x59 is "0 repeated 59 more times".
        var x = item.LastIndexOf('x');
        if (x <= 0)
        {
            values.Add(ParseValue(item));
            return;
        }
        var times = int.Parse(item.AsSpan(x + 1), CultureInfo.InvariantCulture);
        var head = item[..x];
        if (head == "_")
        {
            for (var k = 0; k < times; k++)
            {
                values.Add(null);
            }
            return;
        }
        // Split a+b / a-b at a sign that is not the first character and does not follow an exponent marker.
        var split = -1;
        for (var k = 1; k < head.Length; k++)
        {
            if (head[k] is '+' or '-' && head[k - 1] is not ('e' or 'E'))
            {
                split = k;
                break;
            }
        }
        if (split < 0)
        {
            var v = ParseValue(head);
            for (var k = 0; k <= times; k++)
            {
                values.Add(v);
            }
            return;
        }
        var current = ParseValue(head[..split])!.Value;
        var delta = ParseValue(head[(split + 1)..])!.Value * (head[split] == '-' ? -1 : 1);
        values.Add(current);
        for (var k = 1; k <= times; k++)
        {
            current += delta;
            values.Add(current);
        }
    }

    private static double? ParseValue(string text)
    {
        if (text == "_")
        {
            return null;
        }
        if (text == "stale")
        {
            return BitConverter.UInt64BitsToDouble(0x7FF0000000000002);
        }
        if (TryParseSpecial(text, out var special))
        {
            return special;
        }
        var negative = text.StartsWith('-');
        var body = negative || text.StartsWith('+') ? text[1..] : text;
        var value = Parser.ParseNumber(body);
        return negative ? -value : value;
    }
}
