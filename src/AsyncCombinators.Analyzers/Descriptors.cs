using Microsoft.CodeAnalysis;

namespace AsyncCombinators.Analyzers;

/// <summary>The diagnostic descriptors of every rule, each with a help link to its page under docs/analyzers.</summary>
internal static class Descriptors
{
    /// <summary>Where the rule pages live, relative to the repository root; a rule's page is its ID plus ".md".</summary>
    internal const string HelpLinkBase = "docs/analyzers/";

    internal static readonly DiagnosticDescriptor WhenAnyLoop = Create(
        DiagnosticIds.WhenAnyLoop,
        "Task.WhenAny in a loop that removes the finished task is quadratic",
        "Task.WhenAny over '{0}' in a loop that removes the finished task does O(n²) work; use 'await foreach (var t in Async.AsCompleted({0}))'",
        "Performance",
        DiagnosticSeverity.Warning,
        "Each Task.WhenAny call registers a continuation on every task still in the collection, and each Remove scans it, so n tasks cost O(n²). Async.AsCompleted yields the same tasks in completion order with one continuation per task.");

    internal static readonly DiagnosticDescriptor WhenAnyTimeout = Create(
        DiagnosticIds.WhenAnyTimeout,
        "Task.WhenAny with Task.Delay as a timeout leaks the timer and never cancels the work",
        "Task.WhenAny with Task.Delay used as a timeout for '{0}': the delay's timer lives on and '{0}' is never cancelled; use 'await Async.WaitFor({0}, timeout)', or its cold form 'Async.WaitFor(ct => ..., timeout)' to cancel the work on timeout",
        "Reliability",
        DiagnosticSeverity.Warning,
        "When the work wins, the Task.Delay timer keeps running until it fires; when the delay wins, the work keeps running with nobody to observe it. Async.WaitFor releases its timer as soon as the work finishes, throws TimeoutException on timeout, and its cold form cancels the operation and waits for it.");

    internal static readonly DiagnosticDescriptor WhenAllResults = Create(
        DiagnosticIds.WhenAllResults,
        "Task.WhenAll followed by reads of each task's result",
        "Task.WhenAll over {0} followed by reads of their results; use 'var (...) = await Async.Gather({0})'",
        "Usage",
        DiagnosticSeverity.Warning,
        "Reading .Result or awaiting each task again after Task.WhenAll is noise, and .Result invites blocking calls when the code is moved. Async.Gather returns the typed results as a tuple, in argument order, and fails as soon as the first task fails.");

    internal static readonly DiagnosticDescriptor OperationToken = Create(
        DiagnosticIds.OperationToken,
        "An operation given to a combinator does not pass its CancellationToken on",
        "'{0}' can take a CancellationToken; pass '{1}' so the combinator can cancel it",
        "Reliability",
        DiagnosticSeverity.Warning,
        "AsyncCombinators cancels an operation through the token it passes to it, on a timeout, a failure elsewhere or the caller's cancellation, and then waits for it. A call inside the operation that ignores that token cannot be cancelled, so the combinator waits for it to finish on its own.");

    internal static readonly DiagnosticDescriptor SemaphoreThrottle = Create(
        DiagnosticIds.SemaphoreThrottle,
        "SemaphoreSlim throttling around Task.WhenAll",
        "Tasks throttled with SemaphoreSlim '{0}' and awaited with Task.WhenAll; consider 'Async.Gather(source, selector, maxConcurrency)'",
        "Usage",
        DiagnosticSeverity.Info,
        "Creating every task up front and making each wait on a semaphore holds one pending task per item, and a failure neither stops the items still waiting nor cancels the running ones. Async.Gather over a source with a selector starts at most maxConcurrency operations at a time, in order, and on the first failure cancels the running ones and starts no more.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLinkBase + id + ".md");
}
