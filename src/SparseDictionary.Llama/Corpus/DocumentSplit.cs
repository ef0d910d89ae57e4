namespace SparseDictionary.Llama.Corpus;

/// <summary>How a plain-text file is cut into documents.</summary>
public enum DocumentSplit
{
    /// <summary>The whole file is one document, its id the file name.</summary>
    WholeFile,

    /// <summary>Each non-blank line is a document, its id <c>file:line</c>.</summary>
    Lines,

    /// <summary>
    /// WikiText-style articles: a top-level heading line <c> = Title = </c> starts an article whose id is the title and
    /// whose text is the lines up to the next top-level heading (sub-headings such as <c> = = Section = = </c> stay in the
    /// text), with leading and trailing blank lines removed.
    /// </summary>
    WikiTextArticles,
}
