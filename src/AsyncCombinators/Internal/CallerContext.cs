using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace AsyncCombinators.Internal;

/// <summary>Where the caller runs, captured at the call: where the operations a combinator starts must start too.</summary>
internal readonly struct CallerContext
{
    private CallerContext(SynchronizationContext? synchronizationContext, TaskScheduler? scheduler, ExecutionContext? executionContext)
    {
        SynchronizationContext = synchronizationContext;
        Scheduler = scheduler;
        ExecutionContext = executionContext;
    }

    /// <summary>Gets the caller's synchronization context, or null when it has none.</summary>
    public SynchronizationContext? SynchronizationContext { get; }

    /// <summary>Gets the caller's task scheduler when it has no synchronization context and the scheduler is not the default one.</summary>
    public TaskScheduler? Scheduler { get; }

    /// <summary>Gets the caller's execution context (its AsyncLocal values), or null when its flow is suppressed.</summary>
    public ExecutionContext? ExecutionContext { get; }

    /// <summary>Gets a value indicating whether starts must be posted when they happen on another thread.</summary>
    public bool IsSpecific => SynchronizationContext is not null || Scheduler is not null;

    /// <summary>Captures where the current code runs, as <c>await</c> would: a plain SynchronizationContext counts as none.</summary>
    public static CallerContext Capture()
    {
        SynchronizationContext? context = SynchronizationContext.Current;
        if (context is not null && context.GetType() == typeof(SynchronizationContext))
        {
            context = null;
        }

        TaskScheduler? scheduler = context is null && TaskScheduler.Current != TaskScheduler.Default ? TaskScheduler.Current : null;
        return new CallerContext(context, scheduler, ExecutionContext.Capture());
    }

    /// <summary>Whether the current thread runs on the captured context (always true when none was captured).</summary>
    public bool IsCurrent() =>
        SynchronizationContext is not null
            ? SynchronizationContext.Current == SynchronizationContext
            : Scheduler is null || TaskScheduler.Current == Scheduler;

    /// <summary>
    /// Runs a callback on the captured context: posted to its <see cref="SynchronizationContext"/>, else scheduled on its
    /// <see cref="TaskScheduler"/>. A context that refuses work (shut down) gets it run here: late is better than never.
    /// </summary>
    /// <param name="posted">The callback, in the form a synchronization context takes.</param>
    /// <param name="scheduled">The same callback, in the form a task scheduler takes.</param>
    /// <param name="state">The callback's state.</param>
    public void Post(SendOrPostCallback posted, Action<object?> scheduled, object state)
    {
        Debug.Assert(IsSpecific, "Only a captured context is posted to.");
        try
        {
            if (SynchronizationContext is { } context)
            {
                context.Post(posted, state);
            }
            else
            {
                _ = Task.Factory.StartNew(scheduled, state, CancellationToken.None, TaskCreationOptions.DenyChildAttach, Scheduler!);
            }
        }
        catch (Exception)
        {
            scheduled(state);
        }
    }

    /// <summary>
    /// An awaitable that continues on the captured context: at once when the code already runs there, otherwise posted
    /// there, where <c>ConfigureAwait(true)</c> in the caller's code would have resumed.
    /// </summary>
    public ContextSwitch SwitchTo() => new(this);

    /// <summary>The awaitable and awaiter of <see cref="SwitchTo"/>.</summary>
    public readonly struct ContextSwitch : ICriticalNotifyCompletion
    {
        private static readonly SendOrPostCallback s_posted = static state => ((Action)state!)();
        private static readonly Action<object?> s_scheduled = static state => ((Action)state!)();

        /// <summary>Where to continue.</summary>
        private readonly CallerContext _context;

        public ContextSwitch(CallerContext context)
        {
            _context = context;
        }

        public bool IsCompleted => _context.IsCurrent();

        public ContextSwitch GetAwaiter() => this;

        public void GetResult()
        {
        }

        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        public void UnsafeOnCompleted(Action continuation) => _context.Post(s_posted, s_scheduled, continuation);
    }
}
