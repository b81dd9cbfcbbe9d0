namespace Tsdb.EndToEnd.Tests.Grafana;

/// <summary>The three ways the provisioned data sources query tsdb; each expands variables and macros its own way.</summary>
internal enum GrafanaDataSourceKind
{
    /// <summary>Grafana's Prometheus data source: PromQL over /api/v1/query_range.</summary>
    Prometheus,

    /// <summary>Grafana's InfluxDB data source in InfluxQL mode: /query.</summary>
    InfluxQL,

    /// <summary>Grafana's InfluxDB data source in SQL mode: Flight SQL.</summary>
    Sql,
}
