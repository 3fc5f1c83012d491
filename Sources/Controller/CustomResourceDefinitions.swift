// The CustomResourceDefinitions of charts/wavesync/crds, built into the binary so `wavesync
// install` needs no checkout. A test keeps them identical to the chart's files.

/// The wavesync.io resources, as YAML files: file name and text.
public enum CustomResourceDefinitions {
  public static let files: [(name: String, text: String)] = [
    (
      "fleets.wavesync.io.yaml",
      #"""
      # A fleet: the Git repository a regional controller takes its sites' desired state from, the
      # sites of that repository this region manages, and the operator's controls. Its status does not
      # grow with the number of sites: each site's state is a FleetSite of its own.
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: fleets.wavesync.io
        labels:
          app.kubernetes.io/name: wavesync
      spec:
        group: wavesync.io
        scope: Namespaced
        names:
          kind: Fleet
          listKind: FleetList
          plural: fleets
          singular: fleet
        versions:
        - name: v1alpha1
          served: true
          storage: true
          subresources:
            status: {}
          additionalPrinterColumns:
          - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
          - {name: Revision, type: string, jsonPath: .status.lastGoodRevision}
          - {name: Rollout, type: string, jsonPath: .status.rollout.phase}
          - {name: Wave, type: string, jsonPath: .status.rollout.wave}
          - {name: Sites, type: integer, jsonPath: .status.sites.total}
          - {name: Healthy, type: integer, jsonPath: .status.sites.healthy}
          - {name: Reason, type: string, priority: 1, jsonPath: '.status.conditions[?(@.type=="Ready")].reason'}
          - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
          schema:
            openAPIV3Schema:
              type: object
              required: [spec]
              properties:
                apiVersion: {type: string}
                kind: {type: string}
                metadata: {type: object}
                spec:
                  type: object
                  required: [source]
                  properties:
                    source:
                      description: The fleet repository.
                      type: object
                      required: [url]
                      properties:
                        url:
                          description: https://, http://, git://, ssh:// or file:// URL of the repository.
                          type: string
                          minLength: 1
                          pattern: '^(https?|git|ssh|file)://'
                        ref:
                          description: Branch, tag or commit to follow.
                          type: string
                          minLength: 1
                          default: main
                        pollInterval:
                          description: How often to look for a new commit, as a duration (30s, 5m, 1h).
                          type: string
                          pattern: '^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$'
                          default: 1m
                        secretRef:
                          description: >-
                            A Secret of the Fleet's namespace with the Git credentials (username and
                            password or token, or an SSH private key and known_hosts).
                          type: object
                          required: [name]
                          properties:
                            name: {type: string, minLength: 1}
                        insecureSkipTLSVerify:
                          description: Skip TLS verification of the Git server. Only when set explicitly.
                          type: boolean
                    siteSelector:
                      description: >-
                        The sites of the repository this region manages, as a label selector
                        (region=emea,store-type!=express); empty selects every site.
                      type: string
                    kubeconfigSecretRef:
                      description: >-
                        A Secret with a kubeconfig holding one context per site. Without it only
                        `wavesync rollout` in a terminal (with its own kubeconfig) can roll the fleet out.
                      type: object
                      required: [name]
                      properties:
                        name: {type: string, minLength: 1}
                        key:
                          type: string
                          minLength: 1
                          default: kubeconfig
                    suspend:
                      description: Stop reconciling (nothing is fetched, rendered or applied).
                      type: boolean
                    paused:
                      description: Hold back new site changes; changes in flight finish, rollbacks proceed.
                      type: boolean
                    promotions:
                      description: Manual gates opened, each <rollout>/<wave> as wavesync promote writes it.
                      type: array
                      maxItems: 50
                      items: {type: string, minLength: 1}
                    rollbackTo:
                      description: A revision to roll every site back to.
                      type: string
                      minLength: 1
                    urgentRevisions:
                      description: >-
                        Revisions that skip the sites' maintenance windows (full commit ids, or prefixes
                        of 7 digits or more). A commit with the trailer `Wavesync-Urgent: true` is urgent too.
                      type: array
                      maxItems: 50
                      items: {type: string, minLength: 7}
                    registry:
                      description: >-
                        Size the images a revision needs from their registries, so rollouts are scheduled
                        by the bytes each site pulls. Without it new images count as of unknown size.
                      type: object
                      properties:
                        secretRef:
                          description: A kubernetes.io/dockerconfigjson Secret with registry credentials.
                          type: object
                          required: [name]
                          properties:
                            name: {type: string, minLength: 1}
                        platform:
                          description: The os/architecture[/variant] of the sites' nodes, for image indexes.
                          type: string
                          pattern: '^[a-z0-9]+/[a-z0-9]+(/[a-z0-9]+)?$'
                          default: linux/amd64
                status:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    observedGeneration: {type: integer, format: int64}
                    conditions:
                      type: array
                      items:
                        type: object
                        required: [type, status]
                        properties:
                          type: {type: string}
                          status: {type: string, enum: ["True", "False", "Unknown"]}
                          reason: {type: string}
                          message: {type: string}
                          observedGeneration: {type: integer, format: int64}
                          lastTransitionTime: {type: string, format: date-time}
                    fetchedRevision: {type: string}
                    lastGoodRevision: {type: string}
                    gitOfflineSince: {type: string, format: date-time}
                    lastPollError: {type: string}
                    observedRollbackTo: {type: string}
                    stateSequence: {type: integer, format: int64}
                    rollout:
                      type: object
                      x-kubernetes-preserve-unknown-fields: true
                    sites:
                      type: object
                      properties:
                        total: {type: integer}
                        healthy: {type: integer}
                        failing: {type: integer}
                        unreachable: {type: integer}
                        behind: {type: integer}
      """#
    ),
    (
      "fleetsites.wavesync.io.yaml",
      #"""
      # One site of a Fleet, owned by it: that site's rollout state, written by the controller before
      # it acts on the site. Labels wavesync.io/fleet and wavesync.io/wave select them. No status
      # subresource: the wave label and the state change together, in one conditional write.
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: fleetsites.wavesync.io
        labels:
          app.kubernetes.io/name: wavesync
      spec:
        group: wavesync.io
        scope: Namespaced
        names:
          kind: FleetSite
          listKind: FleetSiteList
          plural: fleetsites
          singular: fleetsite
        versions:
        - name: v1alpha1
          served: true
          storage: true
          additionalPrinterColumns:
          - {name: Fleet, type: string, jsonPath: .spec.fleet}
          - {name: Wave, type: string, jsonPath: .status.wave}
          - {name: Phase, type: string, jsonPath: .status.phase}
          - {name: Revision, type: string, jsonPath: .status.appliedRevision}
          - {name: Health, type: string, jsonPath: .status.health.status}
          - {name: Behind, type: boolean, jsonPath: .status.behind}
          - {name: Message, type: string, priority: 1, jsonPath: .status.health.message}
          - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
          schema:
            openAPIV3Schema:
              type: object
              required: [spec]
              properties:
                apiVersion: {type: string}
                kind: {type: string}
                metadata: {type: object}
                spec:
                  type: object
                  required: [fleet, site]
                  properties:
                    fleet: {type: string, minLength: 1}
                    site: {type: string, minLength: 1}
                status:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    wave: {type: string}
                    phase: {type: string}
                    desiredRevision: {type: string}
                    appliedRevision: {type: string}
                    behind: {type: boolean}
                    unreachableSince: {type: string, format: date-time}
                    lastError: {type: string}
                    health:
                      type: object
                      properties:
                        status: {type: string}
                        reason: {type: string}
                        message: {type: string}
      """#
    ),
  ]
}
