using SparseDictionary.Llama;

namespace SparseDictionary.Experiments.Runs;

/// <summary>Finds the tokenizer that ships in a model folder.</summary>
internal static class ModelFolderTokenizer
{
    public static ITokenizer Load(string folder, int vocabSize)
    {
        string path = Path.Combine(folder, "tokenizer.bin");
        if (!File.Exists(path)) throw new FileNotFoundException($"The model folder '{folder}' has no tokenizer.bin.", path);
        return Llama2cTokenizer.Load(path, vocabSize);
    }
}
