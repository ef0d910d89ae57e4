using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace SparseDictionary.Cli;

/// <summary>The <c>sdict</c> command line: builds the commands, parses, runs, and turns every failure into one line and an exit code.</summary>
internal static class CliApp
{
    /// <summary>The tool's command name.</summary>
    public const string Name = "sdict";

    /// <summary>Runs the command line <paramref name="args"/> and returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="context">The streams to write to.</param>
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Print details while working, and the stack trace of an error.",
            Recursive = true,
        };
        Command root = BuildRoot(context, verbose);
        ParseResult parsed;
        try
        {
            parsed = root.Parse(args);
        }
        catch (Exception e)
        {
            // A parser or validator bug; --verbose cannot be known yet, so the trace follows if it was typed.
            return ErrorReporter.Report(e, context.Error, args.Contains("--verbose") || args.Contains("-v"));
        }
        context.Verbose = parsed.Errors.Count == 0 && parsed.GetValue(verbose);

        if (parsed.Action is ParseErrorAction)
        {
            // One line: what is wrong, and where to read how it should be.
            string messages = string.Join(" ", parsed.Errors.Select(e => e.Message).Distinct());
            context.Error.WriteLine($"error: {ErrorReporter.OneLine(messages)} See '{CommandPath(parsed.CommandResult.Command)} --help'.");
            return ExitCodes.Usage;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration
            {
                Output = context.Output,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (Exception e)
        {
            return ErrorReporter.Report(e, context.Error, context.Verbose);
        }
    }

    // A plain command rather than RootCommand, so help says "sdict" whatever hosts the process (tests run in testhost).
    private static Command BuildRoot(CliContext context, Option<bool> verbose)
    {
        var root = new Command(Name, "Sparse dictionary learning on Llama activations: collect activations, evaluate sparse autoencoders.")
        {
            new HelpOption(),
            new VersionOption(),
            verbose,
        };
        foreach (ICliCommand command in CommandCatalog.All)
        {
            root.Subcommands.Add(command.Build(context));
        }
        return root;
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string> { command.Name };
        // The parse tree knows parents; the symbol graph may have several, but ours is a tree.
        for (Command? parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, parent.Name);
        }
        return string.Join(' ', names);
    }
}
