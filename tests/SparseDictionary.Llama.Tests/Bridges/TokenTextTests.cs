using SparseDictionary.Bridges.Features;
using Xunit;

namespace SparseDictionary.Llama.Tests.Bridges;

public class TokenTextTests
{
    private static string Folder => Path.GetFullPath(Path.Combine(Fixtures.Corpora, "..", "..", "models", "wikitext2-llama"));

    [Fact]
    public void Pieces_show_word_starts_as_spaces_bytes_as_characters_and_control_tokens_by_name()
    {
        var tokenizer = (SentencePieceTokenizer)ModelTokenizer.Load(Folder);
        string[] texts = TokenText.Vocabulary(tokenizer);
        Assert.Equal(tokenizer.VocabSize, texts.Length);
        Assert.Equal("<s>", texts[tokenizer.BosId]);
        Assert.Equal("</s>", texts[tokenizer.EosId]);
        int the = Enumerable.Range(0, tokenizer.VocabSize).Single(i => tokenizer.GetPiece(i) == "▁the");
        Assert.Equal(" the", texts[the]);
        int newline = Enumerable.Range(0, tokenizer.VocabSize).Single(i => tokenizer.GetPiece(i) == "<0x0A>");
        Assert.Equal("↵", texts[newline]);
        int letterA = Enumerable.Range(0, tokenizer.VocabSize).Single(i => tokenizer.GetPiece(i) == "<0x41>");
        Assert.Equal("A", texts[letterA]);
        // Every other piece keeps its characters, with ▁ as a space.
        Assert.All(Enumerable.Range(0, tokenizer.VocabSize).Where(i => !tokenizer.GetPiece(i).StartsWith("<", StringComparison.Ordinal)),
            i => Assert.Equal(tokenizer.GetPiece(i).Replace('▁', ' '), texts[i]));
    }
}
