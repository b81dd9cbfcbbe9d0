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
return await root.Parse(args).InvokeAsync();
