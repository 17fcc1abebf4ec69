// Node 20 compatibility shims, loaded before anything else: aws-local-stepfunctions 3 calls
// Promise.withResolvers (Node >= 22), and the AWS SDK's end-of-life notice for Node 20 is
// noise in the CLI's output and the tests.
if (typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

// The SDK checks this flag before warning that Node 20 is past its end of life.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
export {};
