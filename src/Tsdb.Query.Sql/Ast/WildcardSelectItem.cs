namespace Tsdb.Query.Sql;

/// <summary><c>*</c>, or <c>t.*</c> when <see cref="Qualifier"/> is set.</summary>
public sealed record WildcardSelectItem(ObjectName? Qualifier, TextSpan Span) : SelectItem(Span);
