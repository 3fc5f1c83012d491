import Model
import Render
import Testing

/// Strategic merge patches. The expected objects in `expectKustomizeResult` calls are what
/// `kubectl kustomize` (kustomize v5.5) printed for the same target and patch, pasted verbatim.
@Suite("Strategic merge patch")
struct StrategicMergePatchTests {
  /// The target of several cases.
  static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
          - name: app
            image: app:1
            env:
            - name: A
              value: "1"
            - name: B
              value: "2"
            ports:
            - containerPort: 8080
              name: http
          - name: side
            image: side:1
    """

  // MARK: - Same result as kubectl kustomize

  /// A container is found by name; only the fields the patch sets change.
  @Test func containerMergedByNameWithNewImage() throws {
    try expectKustomizeResult(
      target: Self.deployment,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                image: app:2
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - env:
                - name: A
                  value: "1"
                - name: B
                  value: "2"
                image: app:2
                name: app
                ports:
                - containerPort: 8080
                  name: http
              - image: side:1
                name: side
        """)
  }

  /// Env entries merge by name: a changed value, and a new variable placed first.
  @Test func envMergedByName() throws {
    try expectKustomizeResult(
      target: Self.deployment,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                env:
                - name: C
                  value: "3"
                - name: A
                  value: changed
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - env:
                - name: C
                  value: "3"
                - name: A
                  value: changed
                - name: B
                  value: "2"
                image: app:1
                name: app
                ports:
                - containerPort: 8080
                  name: http
              - image: side:1
                name: side
        """)
  }

  /// `$patch: delete` on a list element removes the target's element with that key; a key the
  /// target lacks is ignored.
  @Test func envEntryDeletedWithPatchDelete() throws {
    try expectKustomizeResult(
      target: Self.deployment,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                env:
                - name: A
                  $patch: delete
                - name: NOT_THERE
                  $patch: delete
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - env:
                - name: B
                  value: "2"
                image: app:1
                name: app
                ports:
                - containerPort: 8080
                  name: http
              - image: side:1
                name: side
        """)
  }

  /// A new container goes in with the patch's elements, which kustomize puts before the target's
  /// others.
  @Test func sidecarAddedBeforeTheTargetsContainers() throws {
    try expectKustomizeResult(
      target: Self.deployment,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: proxy
                image: envoy:1
                args: [--config, /etc/envoy.yaml]
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - args:
                - --config
                - /etc/envoy.yaml
                image: envoy:1
                name: proxy
              - env:
                - name: A
                  value: "1"
                - name: B
                  value: "2"
                image: app:1
                name: app
                ports:
                - containerPort: 8080
                  name: http
              - image: side:1
                name: side
        """)
  }

  /// The patch's elements come first in patch order, then the target's others in target order.
  @Test func mergedListsFollowThePatchOrder() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: a
                image: a:1
              - name: b
                image: b:1
              - name: c
                image: c:1
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: c
                image: c:2
              - name: new
                image: new:1
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - image: c:2
                name: c
              - image: new:1
                name: new
              - image: a:1
                name: a
              - image: b:1
                name: b
        """)
  }

  /// An element holding only `$patch: replace` makes the patch's list replace the target's.
  @Test func listReplacedWithPatchReplace() throws {
    try expectKustomizeResult(
      target: Self.deployment,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - $patch: replace
              - name: only
                image: only:1
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - image: only:1
                name: only
        """)
  }

  /// `$patch: replace` in a mapping replaces the target's mapping instead of merging into it.
  @Test func mapReplacedWithPatchReplace() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxSurge: 1
              maxUnavailable: 0
          template:
            spec:
              containers:
              - name: app
                image: app:1
                resources:
                  requests:
                    cpu: 100m
                    memory: 64Mi
                  limits:
                    memory: 128Mi
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          strategy:
            $patch: replace
            type: Recreate
          template:
            spec:
              containers:
              - name: app
                resources:
                  $patch: replace
                  limits:
                    cpu: "1"
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          strategy:
            type: Recreate
          template:
            spec:
              containers:
              - image: app:1
                name: app
                resources:
                  limits:
                    cpu: "1"
        """)
  }

  /// `$patch: delete` in a mapping removes the field; on a field the target lacks it does nothing.
  @Test func mapDeletedWithPatchDelete() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          strategy:
            type: RollingUpdate
          template:
            spec:
              securityContext:
                runAsUser: 1000
              containers:
              - name: app
                image: app:1
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          strategy:
            $patch: delete
          template:
            spec:
              securityContext:
                $patch: delete
              affinity:
                $patch: delete
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - image: app:1
                name: app
        """)
  }

  /// A `null` in the patch deletes scalars, mappings, lists and keys inside merged elements.
  @Test func nullDeletesFields() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels:
            app: web
            tier: backend
          annotations:
            note: old
        spec:
          replicas: 3
          template:
            spec:
              nodeSelector:
                disk: ssd
              containers:
              - name: app
                image: app:1
                args: [--verbose]
                resources:
                  limits:
                    cpu: "1"
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels:
            tier: null
          annotations: null
        spec:
          replicas: null
          template:
            spec:
              nodeSelector: null
              containers:
              - name: app
                args: null
                resources:
                  limits:
                    cpu: null
                    memory: 1Gi
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          labels:
            app: web
          name: web
        spec:
          template:
            spec:
              containers:
              - image: app:1
                name: app
                resources:
                  limits:
                    memory: 1Gi
        """)
  }

  /// Volumes merge by name; a source switched by nulling the old one.
  @Test func volumesMergedByName() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                image: app:1
                volumeMounts:
                - name: config
                  mountPath: /etc/app
                - name: data
                  mountPath: /data
              volumes:
              - name: config
                configMap:
                  name: app-config
              - name: data
                emptyDir: {}
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                volumeMounts:
                - name: config
                  mountPath: /etc/app
                  readOnly: true
                - name: cache
                  mountPath: /cache
              volumes:
              - name: config
                configMap: null
                secret:
                  secretName: app-secret
              - name: cache
                emptyDir:
                  medium: Memory
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - image: app:1
                name: app
                volumeMounts:
                - mountPath: /etc/app
                  name: config
                  readOnly: true
                - mountPath: /cache
                  name: cache
                - mountPath: /data
                  name: data
              volumes:
              - name: config
                secret:
                  secretName: app-secret
              - emptyDir:
                  medium: Memory
                name: cache
              - emptyDir: {}
                name: data
        """)
  }

  /// Service ports merge by port when no port names a protocol.
  @Test func servicePortsMergedByPort() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
          - name: http
            port: 80
            targetPort: 8080
          - name: https
            port: 443
            targetPort: 8443
        """,
      patch: """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
          - port: 443
            targetPort: 9443
          - name: metrics
            port: 9090
        """,
      kustomized: """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
          - name: https
            port: 443
            targetPort: 9443
          - name: metrics
            port: 9090
          - name: http
            port: 80
            targetPort: 8080
          selector:
            app: web
        """)
  }

  /// Once a port names its protocol, kustomize matches on port and protocol and puts the target's
  /// ports after the new ones.
  @Test func servicePortsWithProtocolsMoveTargetPortsLast() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: Service
        metadata:
          name: dns
        spec:
          ports:
          - name: a
            port: 80
            protocol: TCP
          - name: b
            port: 443
            protocol: TCP
        """,
      patch: """
        apiVersion: v1
        kind: Service
        metadata:
          name: dns
        spec:
          ports:
          - port: 443
            protocol: TCP
            targetPort: 1
          - port: 53
            protocol: UDP
        """,
      kustomized: """
        apiVersion: v1
        kind: Service
        metadata:
          name: dns
        spec:
          ports:
          - port: 53
            protocol: UDP
          - name: a
            port: 80
            protocol: TCP
          - name: b
            port: 443
            protocol: TCP
            targetPort: 1
        """)
  }

  /// Container ports: an unset protocol matches a set one, and a patch port that omits the protocol
  /// the target sets is dropped, as kustomize does.
  @Test func containerPortsMatchOnPortAndProtocol() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - name: app
            image: x
            ports:
            - containerPort: 80
            - containerPort: 443
              protocol: TCP
            - containerPort: 53
              protocol: UDP
        """,
      patch: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - name: app
            ports:
            - containerPort: 80
              name: http
            - containerPort: 443
              name: https
            - containerPort: 53
              protocol: TCP
              name: dnstcp
            - containerPort: 8080
        """,
      kustomized: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - image: x
            name: app
            ports:
            - containerPort: 53
              name: dnstcp
              protocol: TCP
            - containerPort: 8080
            - containerPort: 80
              name: http
            - containerPort: 443
              protocol: TCP
            - containerPort: 53
              protocol: UDP
        """)
  }

  /// Tolerations have no merge key: the patch's list replaces the target's.
  @Test func tolerationsReplaced() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              tolerations:
              - key: dedicated
                operator: Equal
                value: edge
                effect: NoSchedule
              - key: node.kubernetes.io/unreachable
                operator: Exists
              containers:
              - name: app
                image: app:1
                envFrom:
                - configMapRef:
                    name: a
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              tolerations:
              - key: gpu
                operator: Exists
              containers:
              - name: app
                envFrom:
                - secretRef:
                    name: b
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - envFrom:
                - secretRef:
                    name: b
                image: app:1
                name: app
              tolerations:
              - key: gpu
                operator: Exists
        """)
  }

  /// Finalizers merge as a set (the patch's first); owner references merge by uid.
  @Test func finalizersAndOwnerReferencesMerge() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          finalizers: [a, b, a]
          ownerReferences:
          - apiVersion: v1
            kind: K
            name: one
            uid: u1
        data:
          k: v
        """,
      patch: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          finalizers: [c, b]
          ownerReferences:
          - apiVersion: v1
            kind: K
            name: two
            uid: u2
          - uid: u1
            name: renamed
        """,
      kustomized: """
        apiVersion: v1
        data:
          k: v
        kind: ConfigMap
        metadata:
          finalizers:
          - c
          - b
          - a
          name: c
          ownerReferences:
          - apiVersion: v1
            kind: K
            name: two
            uid: u2
          - apiVersion: v1
            kind: K
            name: renamed
            uid: u1
        """)
  }

  /// A kind without schema (a custom resource): mappings merge, `null` and `$patch` still work,
  /// every list is replaced.
  @Test func customResourceListsReplacedMapsMerged() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: w
          labels: {a: "1", b: "2"}
          finalizers: [x]
        spec:
          items: [{name: a, v: 1}, {name: b, v: 2}]
          nested: {x: 1, y: {z: 2, w: 3}}
          gone: 5
          replaced: {p: 1, q: 2}
          deleted: {r: 1}
          template:
            spec:
              containers: [{name: a, image: x}]
        """,
      patch: """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: w
          labels: {b: null, c: "3"}
          finalizers: [y]
        spec:
          items: [{name: b, v: 3}]
          nested: {y: {w: null, v: 4}}
          gone: null
          replaced: {$patch: replace, q: 3}
          deleted: {$patch: delete}
          template:
            spec:
              containers: [{name: b, image: y}]
          added: {k: null, j: 1, m: {$patch: delete}}
        """,
      kustomized: """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          finalizers:
          - "y"
          labels:
            a: "1"
            c: "3"
          name: w
        spec:
          added:
            j: 1
          items:
          - name: b
            v: 3
          nested:
            x: 1
            "y":
              v: 4
              z: 2
          replaced:
            q: 3
          template:
            spec:
              containers:
              - image: "y"
                name: b
        """)
  }

  /// Mappings merge at every depth; scalars are overwritten, including with another type.
  @Test func nestedMapsMergeRecursively() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          labels:
            app: web
          annotations:
            a: "1"
        data:
          keep: "yes"
        spec:
          level1:
            level2:
              level3:
                keep: 1
                change: 2
              other: x
        """,
      patch: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          labels:
            team: edge
          annotations:
            b: "2"
        data:
          new: "1"
        spec:
          level1:
            level2:
              level3:
                change: changed
                add: true
            added:
              deep: [1, 2]
        """,
      kustomized: """
        apiVersion: v1
        data:
          keep: "yes"
          new: "1"
        kind: ConfigMap
        metadata:
          annotations:
            a: "1"
            b: "2"
          labels:
            app: web
            team: edge
          name: c
        spec:
          level1:
            added:
              deep:
              - 1
              - 2
            level2:
              level3:
                add: true
                change: changed
                keep: 1
              other: x
        """)
  }

  /// The pod spec of a CronJob sits under its job template, and merges there too.
  @Test func cronJobPodSpecMerges() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: c
        spec:
          schedule: "*/5 * * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                  - name: a
                    image: a:1
                    env:
                    - name: X
                      value: "1"
                  - name: b
                    image: b:1
        """,
      patch: """
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: c
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                  - name: b
                    image: b:2
                  - name: a
                    env:
                    - name: Y
                      value: "2"
        """,
      kustomized: """
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: c
        spec:
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                  - image: b:2
                    name: b
                  - env:
                    - name: "Y"
                      value: "2"
                    - name: X
                      value: "1"
                    image: a:1
                    name: a
                  restartPolicy: OnFailure
          schedule: '*/5 * * * *'
        """)
  }

  /// kustomize's schema is Kubernetes 1.21: `extensions/v1beta1` Deployments are unknown, so their
  /// lists are replaced.
  @Test func removedAPIVersionHasNoSchema() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: extensions/v1beta1
        kind: Deployment
        metadata:
          name: old
        spec:
          template:
            spec:
              containers:
              - name: a
                image: a:1
              - name: b
                image: b:1
        """,
      patch: """
        apiVersion: extensions/v1beta1
        kind: Deployment
        metadata:
          name: old
        spec:
          template:
            spec:
              containers:
              - name: b
                image: b:2
        """,
      kustomized: """
        apiVersion: extensions/v1beta1
        kind: Deployment
        metadata:
          name: old
        spec:
          template:
            spec:
              containers:
              - image: b:2
                name: b
        """)
  }

  /// `$patch: merge` is the default, stated.
  @Test func mergeDirectiveIsAccepted() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          a: "1"
        """,
      patch: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          $patch: merge
          b: "2"
        """,
      kustomized: """
        apiVersion: v1
        data:
          a: "1"
          b: "2"
        kind: ConfigMap
        metadata:
          name: c
        """)
  }

  /// An empty patch list merges nothing into a merged list, replaces a replaced one, and is set
  /// where the target has none.
  @Test func emptyPatchListsAddNothing() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: app
                image: app:1
                env:
                - name: A
                  value: "1"
                - name: B
                  value: "2"
                ports:
                - containerPort: 8080
                  name: http
              - name: side
                image: side:1
              tolerations:
              - operator: Exists
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          finalizers: []
        spec:
          template:
            spec:
              containers: []
              initContainers: []
              tolerations: []
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          finalizers: []
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - env:
                - name: A
                  value: "1"
                - name: B
                  value: "2"
                image: app:1
                name: app
                ports:
                - containerPort: 8080
                  name: http
              - image: side:1
                name: side
              initContainers: []
              tolerations: []
        """)
  }

  /// A new element is cleaned like a merge into nothing: nulls and deleted entries vanish.
  @Test func newElementsLoseTheirNullsAndDeletions() throws {
    try expectKustomizeResult(
      target: Self.deployment,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: new
                image: new:1
                resources: null
                env:
                - name: X
                  value: null
                - name: Y
                  $patch: delete
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - env:
                - name: X
                image: new:1
                name: new
              - env:
                - name: A
                  value: "1"
                - name: B
                  value: "2"
                image: app:1
                name: app
                ports:
                - containerPort: 8080
                  name: http
              - image: side:1
                name: side
        """)
  }

  /// An element holding only `$patch: delete` removes the whole list.
  @Test func listDeletedWithPatchDelete() throws {
    try expectKustomizeResult(
      target: Self.deployment,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                env:
                - $patch: delete
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - image: app:1
                name: app
                ports:
                - containerPort: 8080
                  name: http
              - image: side:1
                name: side
        """)
  }

  /// Host aliases merge by ip (their hostnames are replaced); topology spread constraints by key
  /// and condition.
  @Test func podSpecListsWithOtherKeys() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - name: app
            image: app:1
          imagePullSecrets:
          - name: registry
          topologySpreadConstraints:
          - {topologyKey: zone, whenUnsatisfiable: DoNotSchedule, maxSkew: 1}
          - {topologyKey: host, whenUnsatisfiable: ScheduleAnyway, maxSkew: 1}
          hostAliases:
          - {ip: 10.0.0.1, hostnames: [a]}
          - {ip: 10.0.0.2, hostnames: [b]}
        """,
      patch: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          imagePullSecrets:
          - name: mirror
          topologySpreadConstraints:
          - {topologyKey: host, whenUnsatisfiable: ScheduleAnyway, maxSkew: 2}
          hostAliases:
          - {ip: 10.0.0.2, hostnames: [c]}
          - {ip: 10.0.0.3, hostnames: [d]}
        """,
      kustomized: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - image: app:1
            name: app
          hostAliases:
          - hostnames:
            - c
            ip: 10.0.0.2
          - hostnames:
            - d
            ip: 10.0.0.3
          - hostnames:
            - a
            ip: 10.0.0.1
          imagePullSecrets:
          - name: mirror
          - name: registry
          topologySpreadConstraints:
          - maxSkew: 1
            topologyKey: zone
            whenUnsatisfiable: DoNotSchedule
          - maxSkew: 2
            topologyKey: host
            whenUnsatisfiable: ScheduleAnyway
        """)
  }

  /// A `null` the target holds stays when the patch leaves the field alone; lists that are replaced
  /// keep what they hold.
  @Test func nullsInTheTargetAndInReplacedListsStay() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          a: "1"
        explicit: null
        """,
      patch: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          b: "2"
        items:
        - a
        - key: b
          value: null
        """,
      kustomized: """
        apiVersion: v1
        data:
          a: "1"
          b: "2"
        explicit: null
        items:
        - a
        - key: b
          value: null
        kind: ConfigMap
        metadata:
          name: c
        """)
  }

  /// Admission webhooks merge by name.
  @Test func admissionWebhooksMergeByName() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: admissionregistration.k8s.io/v1
        kind: MutatingWebhookConfiguration
        metadata:
          name: hooks
        webhooks:
        - name: a.example.com
          sideEffects: None
          failurePolicy: Fail
        - name: b.example.com
          sideEffects: None
        """,
      patch: """
        apiVersion: admissionregistration.k8s.io/v1
        kind: MutatingWebhookConfiguration
        metadata:
          name: hooks
        webhooks:
        - name: b.example.com
          failurePolicy: Ignore
        """,
      kustomized: """
        apiVersion: admissionregistration.k8s.io/v1
        kind: MutatingWebhookConfiguration
        metadata:
          name: hooks
        webhooks:
        - failurePolicy: Ignore
          name: b.example.com
          sideEffects: None
        - failurePolicy: Fail
          name: a.example.com
          sideEffects: None
        """)
  }

  /// Init containers merge by name, their env by name and their mounts by path.
  @Test func statefulSetInitContainerMerges() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        spec:
          serviceName: db
          template:
            spec:
              initContainers:
              - name: init
                image: busybox
                env:
                - name: MODE
                  value: init
                volumeMounts:
                - name: data
                  mountPath: /data
              containers:
              - name: db
                image: postgres:16
        """,
      patch: """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        spec:
          template:
            spec:
              initContainers:
              - name: init
                env:
                - name: MODE
                  value: migrate
                volumeMounts:
                - mountPath: /data
                  readOnly: true
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        spec:
          serviceName: db
          template:
            spec:
              containers:
              - image: postgres:16
                name: db
              initContainers:
              - env:
                - name: MODE
                  value: migrate
                image: busybox
                name: init
                volumeMounts:
                - mountPath: /data
                  name: data
                  readOnly: true
        """)
  }

  /// Status conditions merge by type on a Deployment.
  @Test func statusConditionsMergeByTypeForBuiltInKinds() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        status:
          conditions:
          - type: Available
            status: "True"
          - type: Progressing
            status: "True"
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        status:
          conditions:
          - type: Available
            status: "False"
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        status:
          conditions:
          - status: "False"
            type: Available
          - status: "True"
            type: Progressing
        """)
  }

  /// kustomize walks the whole target: merged lists the patch does not mention lose duplicates, and
  /// a port without protocol absorbs the same port with one.
  @Test func untouchedMergedListsAreRebuilt() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          finalizers: [a, b, a]
        spec:
          containers:
          - name: app
            image: app:1
            ports:
            - containerPort: 80
              protocol: UDP
              name: udp
            - containerPort: 80
              name: plain
            env:
            - name: A
              value: "1"
            - name: A
              value: "2"
        """,
      patch: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          labels:
            touched: "yes"
        """,
      kustomized: """
        apiVersion: v1
        kind: Pod
        metadata:
          finalizers:
          - a
          - b
          labels:
            touched: "yes"
          name: p
        spec:
          containers:
          - env:
            - name: A
              value: "2"
            image: app:1
            name: app
            ports:
            - containerPort: 80
              name: plain
        """)
  }

  /// A list the target lacks is merged into itself: of two elements with the same key the last one
  /// stays.
  @Test func newListsAreMergedIntoThemselves() throws {
    try expectKustomizeResult(
      target: Self.deployment,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: proxy
                image: envoy:1
                ports:
                - containerPort: 443
                  protocol: TCP
                  name: first
                - containerPort: 443
                  protocol: TCP
                  name: second
                env:
                - name: X
                  value: first
                - name: X
                  value: second
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - env:
                - name: X
                  value: second
                image: envoy:1
                name: proxy
                ports:
                - containerPort: 443
                  name: second
                  protocol: TCP
              - env:
                - name: A
                  value: "1"
                - name: B
                  value: "2"
                image: app:1
                name: app
                ports:
                - containerPort: 8080
                  name: http
              - image: side:1
                name: side
        """)
  }

  /// Port identities that unify are merged twice; the second time the patch's `$patch: delete` is
  /// spent, so kustomize adds the entry back.
  @Test func unifiedPortIdentitiesMergeTwice() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: v1
        kind: Service
        metadata:
          name: s
        spec:
          ports:
          - {port: 8080, protocol: UDP, name: p0, targetPort: 2}
          - {port: 80, protocol: UDP, name: p1, targetPort: 3}
          - {port: 443, name: p2, targetPort: 2}
          - {port: 8080, name: p3, targetPort: 2}
        """,
      patch: """
        apiVersion: v1
        kind: Service
        metadata:
          name: s
        spec:
          ports:
          - {port: 80, protocol: UDP, $patch: delete}
          - {port: 80, targetPort: 8}
          - {port: 443, targetPort: 8}
        """,
      kustomized: """
        apiVersion: v1
        kind: Service
        metadata:
          name: s
        spec:
          ports:
          - port: 80
            protocol: UDP
          - name: p2
            port: 443
            targetPort: 8
          - name: p3
            port: 8080
            targetPort: 2
        """)
  }

  /// `kubectl kustomize` printed nothing for the object: a top-level `$patch: delete` removes it.
  @Test func wholeObjectDeletedWithPatchDelete() throws {
    let patch = try parse(
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: c
      $patch: delete
      """)
    let target = try parse(
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: c
      data:
        a: "1"
      """)
    #expect(StrategicMergePatch.isDeletePatch(patch))
    #expect(try StrategicMergePatch.apply(patch, to: target) == nil)
    #expect(!StrategicMergePatch.isDeletePatch(target))
  }

  // MARK: - Directives kustomize mishandles: they do what Kubernetes defines

  /// kustomize keeps the target's element unchanged here; the directive asks for the patch's.
  @Test func listElementReplacedWithPatchReplace() throws {
    try expectResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                image: app:1
              - name: side
                image: side:1
                args: [--old]
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: side
                image: side:2
                $patch: replace
        """,
      expected: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: side
                image: side:2
              - name: app
                image: app:1
        """)
  }

  /// kustomize copies `$retainKeys` and `$deleteFromPrimitiveList/finalizers` into its output
  /// (and would print finalizers `[d, a, b, c]`).
  @Test func retainKeysAndDeleteFromPrimitiveList() throws {
    try expectResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          finalizers: [a, b, c]
        spec:
          strategy:
            type: RollingUpdate
            rollingUpdate:
              maxSurge: 1
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          $deleteFromPrimitiveList/finalizers: [b]
          finalizers: [d, a]
        spec:
          strategy:
            $retainKeys: [type]
            type: Recreate
        """,
      expected: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          finalizers: [d, a, c]
        spec:
          strategy:
            type: Recreate
        """)
  }

  /// kustomize copies `$setElementOrder/containers` into its output; otherwise the result is
  /// kustomize's, in kustomize's order.
  @Test func setElementOrderAcceptedAndIgnored() throws {
    try expectResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                image: app:1
              - name: side
                image: side:1
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              $setElementOrder/containers:
              - name: side
              - name: app
              containers:
              - name: app
                image: app:2
        """,
      expected: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                image: app:2
              - name: side
                image: side:1
        """)
  }

  /// kustomize copies the directive element into lists it does not merge, and into lists the
  /// target lacks (where it also drops the other elements).
  @Test func listDirectivesInReplacedAndMissingLists() throws {
    try expectResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              tolerations:
              - key: a
                operator: Exists
              containers:
              - name: app
                image: app:1
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              tolerations:
              - $patch: replace
              - key: b
                operator: Exists
              initContainers:
              - $patch: replace
              - name: init
                image: init:1
              - name: gone
                $patch: delete
              volumes:
              - $patch: delete
        """,
      expected: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              tolerations:
              - key: b
                operator: Exists
              initContainers:
              - name: init
                image: init:1
              containers:
              - name: app
                image: app:1
        """)
  }

  /// kustomize ignores a top-level `$patch: replace`; the directive replaces the object.
  @Test func wholeObjectReplacedWithPatchReplace() throws {
    try expectResult(
      target: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          labels: {a: "1"}
        data:
          a: "1"
        """,
      patch: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        $patch: replace
        data:
          b: "2"
        """,
      expected: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          b: "2"
        """)
  }

  // MARK: - Errors

  /// kustomize empties the list for such an element; an error says what is wrong instead.
  @Test func patchElementWithoutMergeKeyIsAnError() throws {
    let error = try applyExpectingError(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: app
                image: app:1
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - image: app:2
        """)
    #expect(
      error.description
        == #"spec.template.spec.containers[0]: has no merge key "name""#)
  }

  /// A list or mapping in the patch fills a target field written as null, as kubectl fills it.
  @Test func patchFillsNullTargetFields() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              volumes: null
              nodeSelector: null
              containers:
              - name: web
                env: null
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              volumes:
              - name: data
                emptyDir: {}
              nodeSelector:
                disk: ssd
              containers:
              - name: web
                env:
                - name: A
                  value: "1"
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - env:
                - name: A
                  value: "1"
                name: web
              nodeSelector:
                disk: ssd
              volumes:
              - emptyDir: {}
                name: data
        """)
  }

  /// A one-element list without its merge key, untouched by the patch or new from it, is kept as
  /// written.
  @Test func singleElementWithoutMergeKeyIsKept() throws {
    try expectKustomizeResult(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 1
          template:
            spec:
              containers:
              - image: app:1
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 3
          template:
            spec:
              initContainers:
              - image: init:1
        """,
      kustomized: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 3
          template:
            spec:
              containers:
              - image: app:1
              initContainers:
              - image: init:1
        """)
  }

  /// kubectl collapses several elements without the merge key into the last one, losing the
  /// others; Wavesync refuses.
  @Test func untouchedListOfElementsWithoutMergeKeyIsAnError() throws {
    let error = try applyExpectingError(
      target: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - image: app:1
              - image: side:1
        """,
      patch: """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 3
        """)
    #expect(
      error.description
        == #"spec.template.spec.containers: target element 0 has no merge key "name""#)
  }

  @Test func targetElementWithoutMergeKeyIsAnError() throws {
    let error = try applyExpectingError(
      target: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - name: app
            env:
            - name: A
            - value: secret-value
        """,
      patch: """
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
          - name: app
            env:
            - name: B
        """)
    #expect(
      error.description
        == #"spec.containers[0].env: target element 1 has no merge key "name""#)
  }

  /// kubectl kustomize fails on these too ("wrong node kind"), printing the node's contents.
  @Test func mismatchedTypesAreErrorsWithoutValues() throws {
    let target = """
      apiVersion: v1
      kind: Secret
      metadata:
        name: s
      data:
        password: c3VwZXJzZWNyZXQ=
      stringData:
        token: supersecret
      """
    let mapOverScalar = try applyExpectingError(
      target: target,
      patch: """
        apiVersion: v1
        kind: Secret
        metadata:
          name: s
        data:
          password: {nested: true}
        """)
    #expect(
      mapOverScalar.description
        == "data.password: the patch has a mapping where the target has a string")

    let scalarOverMap = try applyExpectingError(
      target: target,
      patch: """
        apiVersion: v1
        kind: Secret
        metadata:
          name: s
        stringData: flat
        """)
    #expect(
      scalarOverMap.description
        == "stringData: the patch has a string where the target has a mapping")

    let listOverMap = try applyExpectingError(
      target: target,
      patch: """
        apiVersion: v1
        kind: Secret
        metadata:
          name: s
        data: [a]
        """)
    #expect(listOverMap.description == "data: the patch has a list where the target has a mapping")

    for error in [mapOverScalar, scalarOverMap, listOverMap] {
      #expect(!error.description.contains("c3VwZXJzZWNyZXQ="))
      #expect(!error.description.contains("supersecret"))
    }
  }

  /// kubectl kustomize: "unknown patch strategy 'bogus'".
  @Test func unknownDirectiveIsAnError() throws {
    let error = try applyExpectingError(
      target: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          a: "1"
        """,
      patch: """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
        data:
          $patch: bogus
        """)
    #expect(
      error.description
        == #"data: $patch: "bogus" is not a known directive (merge, replace or delete)"#)
  }

  @Test func malformedDirectivesAreErrors() throws {
    let target = try parse(
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: c
      data:
        a: "1"
      """)
    let cases: [(patch: String, message: String)] = [
      ("data:\n  $patch: [replace]", "data: $patch must be a string, not a list"),
      ("data:\n  $retainKeys: a", "data: $retainKeys must be a list of field names"),
      (
        "$deleteFromPrimitiveList/data: x",
        "$deleteFromPrimitiveList/data must be a list, not a string"
      ),
      (
        "$deleteFromPrimitiveList/data: [a]",
        "data: $deleteFromPrimitiveList applies to lists, the target has a mapping"
      ),
      (
        "items:\n- $patch: replace\n- $patch: delete",
        "items: conflicting list-level $patch directives"
      ),
    ]
    for (patch, message) in cases {
      let error = #expect(throws: PatchError.self) {
        try StrategicMergePatch.apply(try parse(patch), to: target)
      }
      #expect(error?.description == message)
    }
  }

  @Test func patchAndTargetMustBeMappings() throws {
    let object = try parse("kind: ConfigMap")
    #expect(throws: PatchError(location: "", reason: "the patch is a list, not a mapping")) {
      try StrategicMergePatch.apply([], to: object)
    }
    #expect(throws: PatchError(location: "", reason: "the target is a string, not a mapping")) {
      try StrategicMergePatch.apply(object, to: "text")
    }
  }

  // MARK: - Helpers

  private func parse(_ yaml: String) throws -> Value {
    try YAML.value(from: yaml, rules: .kustomize)
  }

  /// Applies `patch` to `target` and expects `kustomized`, what `kubectl kustomize` printed for
  /// them. Mapping key order is not compared; list order is.
  private func expectKustomizeResult(
    target: String, patch: String, kustomized: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    try expectResult(
      target: target, patch: patch, expected: kustomized, sourceLocation: sourceLocation)
  }

  private func expectResult(
    target: String, patch: String, expected: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let patched = try StrategicMergePatch.apply(try parse(patch), to: try parse(target))
    #expect(
      patched.map(PatchComparison.keySorted) == PatchComparison.keySorted(try parse(expected)),
      sourceLocation: sourceLocation)
  }

  private func applyExpectingError(target: String, patch: String) throws -> PatchError {
    let (target, patch) = (try parse(target), try parse(patch))
    do {
      _ = try StrategicMergePatch.apply(patch, to: target)
    } catch {
      return error
    }
    Issue.record("the patch applied without error")
    return PatchError(location: "", reason: "")
  }
}

/// Comparison of patch results with kubectl's output, for both patch suites.
enum PatchComparison {
  /// The value with every mapping's keys sorted, so that equality ignores key order.
  static func keySorted(_ value: Value) -> Value {
    switch value {
    case .object(var fields):
      fields.sort { $0.key < $1.key }
      for key in fields.keys { fields[key] = fields[key].map(keySorted) }
      return .object(fields)
    case .array(let items):
      return .array(items.map(keySorted))
    default:
      return value
    }
  }
}
