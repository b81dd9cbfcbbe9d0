using System.CommandLine;
using Tsdb.Cli;

var root = new RootCommand("tsdb: a time-series database (line protocol in; SQL, PromQL and Flight out)");
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(DatabaseCommand.Create());
root.Subcommands.Add(DatabaseCommand.CreateTable());
root.Subcommands.Add(WriteCommand.Create());
root.Subcommands.Add(QueryCommand.Create());
root.Subcommands.Add(ShowCommand.Create());
root.Subcommands.Add(NodeCommand.Create());
// `tsdb serve` handles SIGINT and SIGTERM itself (graceful stop, a second Ctrl-C exits at once); the library's own
// handler would end the process two seconds after the first signal, whatever the server was still flushing.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
