namespace Tsdb.PromQL.Ast;

internal enum MatchCardinality
{
    OneToOne,
    ManyToOne,
    OneToMany,
    ManyToMany,
}
