using System.Globalization;

namespace TrainDefaultModel;

/// <summary>The command line: where the corpora are, where the model goes, how many steps, or a timing run.</summary>
internal sealed record Arguments(string Corpora, string Output, int Steps, int? Measure, bool TokenizerOnly)
{
    public static Arguments Parse(string[] args)
    {
        string corpora = FindCorpora();
        string output = Path.Combine("models", "wikitext2-llama");
        int steps = Recipe.DefaultSteps;
        int? measure = null;
        bool tokenizerOnly = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--tokenizer-only")
            {
                tokenizerOnly = true;
                continue;
            }
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--corpora": corpora = value; break;
                case "--output": output = value; break;
                case "--steps": steps = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--measure": measure = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
            i++;
        }
        return new Arguments(corpora, output, steps, measure, tokenizerOnly);
    }

    // The corpora ship in the repository under data/corpora (the repository root holds SparseDictionary.sln).
    private static string FindCorpora()
    {
        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "data", "corpora"));
            }
        }
        return Path.Combine("data", "corpora");
    }
}
