// Syntax highlighting for the query editor: a tokenizer per language (SQL, InfluxQL, PromQL) and a layer drawn under
// the textarea. The textarea stays the editor (native selection, undo, IME, screen readers); only its text is made
// transparent so the coloured copy below shows through. Tokenizing is a single pass with sticky regular expressions,
// so a query of tens of kilobytes re-highlights within a keystroke.

const SQL_KEYWORDS = words(`select from where group by order having limit offset as and or not in is null like ilike between
  case when then else end join inner left right full outer cross on using union all distinct intersect except with
  asc desc nulls first last explain analyze verbose show tables columns databases delete insert into values exists
  true false interval cast try_cast over partition rows range preceding following unbounded current row at zone
  filter within lateral natural recursive any some escape similar to`);

const SQL_FUNCTIONS = words(`count sum avg min max mean median stddev stddev_pop stddev_samp variance var_pop var_samp
  first_value last_value nth_value row_number rank dense_rank percent_rank cume_dist ntile lag lead
  approx_distinct approx_median approx_percentile_cont approx_percentile_cont_with_weight array_agg string_agg
  bit_and bit_or bit_xor bool_and bool_or corr covar covar_pop covar_samp selector_first selector_last selector_min
  selector_max date_bin date_bin_gapfill date_bin_wallclock date_trunc date_part extract now to_timestamp
  to_timestamp_seconds to_timestamp_millis to_timestamp_micros to_timestamp_nanos make_date to_char to_date
  from_unixtime time_bucket locf interpolate tz abs ceil floor round trunc sqrt cbrt exp ln log log2 log10 power pow
  sin cos tan asin acos atan atan2 sinh cosh tanh pi signum degrees radians random coalesce nullif greatest least
  ifnull nvl concat concat_ws lower upper length char_length character_length octet_length substr substring
  left right lpad rpad ltrim rtrim btrim trim replace reverse repeat split_part starts_with ends_with strpos
  position initcap md5 sha256 regexp_like regexp_match regexp_replace regexp_count arrow_typeof`);

const INFLUXQL_KEYWORDS = words(`select from where group by order limit offset slimit soffset fill into as and or asc
  desc show databases measurements measurement series tag tags key keys values field fields retention policies
  policy cardinality exact with on explain analyze verbose tz time null none previous linear true false create drop
  delete alter grant revoke kill query queries continuous database user users shards stats diagnostics subscriptions`);

const INFLUXQL_FUNCTIONS = words(`count distinct integral mean median mode spread stddev sum bottom first last max min
  percentile sample top abs acos asin atan atan2 ceil cos cumulative_sum derivative difference elapsed exp floor
  histogram ln log log2 log10 moving_average non_negative_derivative non_negative_difference pow round sin sqrt tan
  holt_winters holt_winters_with_fit chande_momentum_oscillator exponential_moving_average
  double_exponential_moving_average kaufmans_efficiency_ratio kaufmans_adaptive_moving_average
  triple_exponential_moving_average triple_exponential_derivative relative_strength_index now`);

const PROMQL_KEYWORDS = words(`by without on ignoring group_left group_right offset bool and or unless start end`);

const LABEL_LIST_KEYWORDS = words(`by without on ignoring group_left group_right`);

const PROMQL_AGGREGATIONS = words(`sum avg count min max group stddev stdvar topk bottomk quantile count_values limitk
  limit_ratio`);

const PROMQL_FUNCTIONS = words(`abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes
  clamp clamp_max clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year days_in_month deg delta
  deriv exp first_over_time floor histogram_avg histogram_count histogram_fraction histogram_quantile
  histogram_stddev histogram_stdvar histogram_sum holt_winters double_exponential_smoothing hour idelta increase info
  irate label_join label_replace last_over_time ln log10 log2 mad_over_time max_over_time min_over_time minute month
  pi predict_linear present_over_time quantile_over_time rad rate resets round scalar sgn sin sinh sort sort_by_label
  sort_by_label_desc sort_desc sqrt stddev_over_time stdvar_over_time sum_over_time tan tanh time timestamp vector
  year ts_of_max_over_time ts_of_min_over_time ts_of_last_over_time step range`);

function words(text) {
  return new Set(text.split(/\s+/).filter(Boolean));
}

// One rule per token kind, tried in order at each position; the first that matches wins. Each pattern is sticky.
const RULES = {
  sql: [
    ["comment", /--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y],
    ["string", /'(?:[^']|'')*(?:'|$)/y],
    ["quoted", /"(?:[^"]|"")*(?:"|$)/y],
    ["number", /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y],
    ["word", /[A-Za-z_][A-Za-z0-9_$]*/y],
    ["operator", /::|<>|!=|<=|>=|\|\||[-+*\/%<>=~^&|!]/y],
    ["punct", /[(),;.\[\]{}]/y],
  ],
  influxql: [
    ["comment", /--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/y],
    ["string", /'(?:[^'\\]|\\.)*(?:'|$)/y],
    ["quoted", /"(?:[^"\\]|\\.)*(?:"|$)/y],
    // A duration literal (5m, 1h30m, 10u) before a plain number.
    ["duration", /\d+(?:ns|u|µ|ms|s|m|h|d|w)(?:\d+(?:ns|u|µ|ms|s|m|h|d|w))*(?![A-Za-z0-9_])/y],
    ["number", /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y],
    ["word", /[A-Za-z_][A-Za-z0-9_]*/y],
    ["operator", /::|=~|!~|<>|!=|<=|>=|[-+*\/%<>=&|^]/y],
    ["punct", /[(),;.]/y],
  ],
  promql: [
    ["comment", /#[^\n]*/y],
    ["string", /"(?:[^"\\]|\\.)*(?:"|$)|'(?:[^'\\]|\\.)*(?:'|$)|`[^`]*(?:`|$)/y],
    ["duration", /\d+(?:ms|s|m|h|d|w|y)(?:\d+(?:ms|s|m|h|d|w|y))*(?![A-Za-z0-9_])/y],
    ["number", /0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|\b(?:Inf|NaN)\b/y],
    ["word", /[A-Za-z_:][A-Za-z0-9_:]*/y],
    ["operator", /=~|!~|==|!=|<=|>=|[-+*\/%^<>=@]/y],
    ["punct", /[(),{}\[\]]/y],
  ],
};

/**
 * Splits a query into [kind, text] tokens that together are exactly the text. Kinds: keyword, function, string,
 * quoted (a quoted identifier), number, duration, regex, comment, operator, punct, label (a PromQL label name),
 * metric (a PromQL metric name), ident, space, other.
 */
export function tokenize(language, text) {
  const rules = RULES[language] ?? RULES.sql;
  const tokens = [];
  let pos = 0;
  let braces = 0; // PromQL: inside {…}, names are label names.
  let labelList = 0; // PromQL: 1 after by/without/on/ignoring/group_left/group_right, 2 inside the (…) that follows.
  let afterRegexOperator = false; // InfluxQL: /…/ after =~ or !~ (or FROM) is a regular expression.
  while (pos < text.length) {
    const space = /\s+/y;
    space.lastIndex = pos;
    const s = space.exec(text);
    if (s) {
      tokens.push(["space", s[0]]);
      pos += s[0].length;
      continue;
    }
    if (language === "influxql" && afterRegexOperator && text[pos] === "/") {
      const re = /\/(?:[^\/\\\n]|\\.)*(?:\/|$)/y;
      re.lastIndex = pos;
      const m = re.exec(text);
      tokens.push(["regex", m[0]]);
      pos += m[0].length;
      afterRegexOperator = false;
      continue;
    }
    let matched = false;
    for (const [kind, pattern] of rules) {
      pattern.lastIndex = pos;
      const m = pattern.exec(text);
      if (!m || m[0].length === 0) continue;
      const value = m[0];
      const inLabels = braces > 0 || labelList === 2;
      const tokenKind = kind === "word" ? classifyWord(language, value, text, pos + value.length, inLabels) : kind;
      tokens.push([tokenKind, value]);
      if (language === "promql") {
        if (value === "{") braces++;
        else if (value === "}") braces = Math.max(0, braces - 1);
        if (tokenKind === "keyword" && LABEL_LIST_KEYWORDS.has(value.toLowerCase())) labelList = 1;
        else if (labelList === 1) labelList = value === "(" ? 2 : 0;
        else if (labelList === 2 && value === ")") labelList = 0;
      }
      if (language === "influxql") afterRegexOperator = value === "=~" || value === "!~" || /^from$/i.test(value);
      pos += value.length;
      matched = true;
      break;
    }
    if (!matched) {
      tokens.push(["other", text[pos]]);
      pos++;
    }
  }
  return tokens;
}

function classifyWord(language, word, text, end, inLabels) {
  const lower = word.toLowerCase();
  const next = nextChar(text, end);
  if (language === "promql") {
    if (inLabels) return "label";
    if (PROMQL_KEYWORDS.has(lower)) return "keyword";
    if (next === "(" && (PROMQL_AGGREGATIONS.has(word) || PROMQL_FUNCTIONS.has(word))) return "function";
    if (PROMQL_AGGREGATIONS.has(word) && /^\s*(by|without)\b/.test(text.slice(end))) return "function";
    return "metric";
  }
  const keywords = language === "influxql" ? INFLUXQL_KEYWORDS : SQL_KEYWORDS;
  const functions = language === "influxql" ? INFLUXQL_FUNCTIONS : SQL_FUNCTIONS;
  if (next === "(" && functions.has(lower)) return "function";
  if (keywords.has(lower)) return "keyword";
  return "ident";
}

function nextChar(text, from) {
  const m = /\s*/y;
  m.lastIndex = from;
  m.exec(text);
  return text[m.lastIndex];
}

/**
 * Keeps a highlighted copy of the textarea's text under it. Returns refresh(), to call after setting the
 * textarea's value from code (input events cover typing).
 */
export function attachHighlighter(textarea, layer, getLanguage) {
  const code = layer.firstElementChild;
  const refresh = () => {
    const fragment = document.createDocumentFragment();
    for (const [kind, value] of tokenize(getLanguage(), textarea.value)) {
      if (kind === "space" || kind === "ident" || kind === "other") {
        fragment.append(value);
      } else {
        const span = document.createElement("span");
        span.className = "tok-" + kind;
        span.textContent = value;
        fragment.append(span);
      }
    }
    // A trailing newline in a textarea still takes a line; a <pre> needs a character after it to do the same.
    fragment.append("\n");
    code.replaceChildren(fragment);
    syncScroll();
  };
  const syncScroll = () => {
    layer.scrollTop = textarea.scrollTop;
    layer.scrollLeft = textarea.scrollLeft;
  };
  textarea.addEventListener("input", refresh);
  textarea.addEventListener("scroll", syncScroll);
  // Resizing the textarea (its corner handle) changes where lines wrap; the layer follows its size through CSS.
  new ResizeObserver(syncScroll).observe(textarea);
  refresh();
  return refresh;
}
