namespace AsyncCombinators.Internal;

/// <summary>The result type of promises behind the untyped combinators; never seen by callers.</summary>
internal readonly struct VoidResult
{
}
