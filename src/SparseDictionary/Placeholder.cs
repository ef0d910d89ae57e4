namespace SparseDictionary;
/// <summary>x</summary>
public static class Placeholder { }
