namespace AsyncCombinators;

/// <summary>
/// asyncio's task combinators for .NET tasks: <c>Gather</c> (asyncio.gather), <c>GatherOutcomes</c>
/// (gather with return_exceptions=True), <c>AsCompleted</c> (asyncio.as_completed), <c>Wait</c> (asyncio.wait)
/// and <c>WaitFor</c> (asyncio.wait_for).
/// </summary>
/// <remarks>
/// Every combinator validates its arguments at the call, enumerates a collection argument exactly once, and returns a
/// <see cref="System.Threading.Tasks.Task"/> (AsCompleted: an <see cref="System.Collections.Generic.IAsyncEnumerable{T}"/>).
/// "First by completion time" means the first completion observed; inputs already complete at the call are examined in input order.
/// </remarks>
public static partial class Async
{
}
