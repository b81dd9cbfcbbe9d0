namespace Tsdb.Otlp;

/// <summary>How OTLP metrics are translated (Prometheus 3's <c>otlp:</c> configuration; <c>tsdb serve --otlp-…</c>).</summary>
public sealed record OtlpOptions
{
    public OtlpTranslationStrategy TranslationStrategy { get; init; } = OtlpTranslationStrategy.UnderscoreEscapingWithSuffixes;

    /// <summary>Resource attributes copied onto every series of the resource as labels (<c>promote_resource_attributes</c>).</summary>
    public IReadOnlyList<string> PromoteResourceAttributes { get; init; } = [];

    /// <summary>Keep <c>service.name</c>, <c>service.namespace</c> and <c>service.instance.id</c> on <c>target_info</c> besides <c>job</c>/<c>instance</c>.</summary>
    public bool KeepIdentifyingResourceAttributes { get; init; }

    /// <summary>
    /// Add <c>otel_scope_name</c>, <c>otel_scope_version</c>, <c>otel_scope_schema_url</c> and <c>otel_scope_&lt;attribute&gt;</c>
    /// to every series of a named scope. On by default, as the OpenTelemetry compatibility spec asks (Prometheus 3 turns
    /// it on with <c>promote_scope_metadata</c>).
    /// </summary>
    public bool PromoteScopeMetadata { get; init; } = true;

    /// <summary>Distance between the <c>target_info</c> samples written for a request spanning a long time (half of PromQL's default lookback, as Prometheus).</summary>
    public TimeSpan TargetInfoInterval { get; init; } = TimeSpan.FromMinutes(2.5);
}
