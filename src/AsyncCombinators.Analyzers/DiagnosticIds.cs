namespace AsyncCombinators.Analyzers;

/// <summary>The rule identifiers; fixed once shipped, since users suppress them by ID.</summary>
public static class DiagnosticIds
{
    /// <summary>A <c>Task.WhenAny</c> loop that removes the finished task: use <c>Async.AsCompleted</c>.</summary>
    public const string WhenAnyLoop = "AC0001";

    /// <summary><c>Task.WhenAny(work, Task.Delay(timeout))</c> as a timeout: use <c>Async.WaitFor</c>.</summary>
    public const string WhenAnyTimeout = "AC0002";

    /// <summary><c>Task.WhenAll(a, b)</c> followed by reads of the tasks: use <c>Async.Gather(a, b)</c>.</summary>
    public const string WhenAllResults = "AC0003";

    /// <summary>An operation given to a combinator that does not pass its token on.</summary>
    public const string OperationToken = "AC0004";

    /// <summary>SemaphoreSlim throttling around <c>Task.WhenAll</c>: use <c>Async.Gather</c> with a bound.</summary>
    public const string SemaphoreThrottle = "AC0005";
}
