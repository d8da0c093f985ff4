/**
 * The demo's infrastructure code: the CloudFormation template of the analytics-mesh stack before
 * and after a pull request that removes the idle service legacy-reports, adds orders-v2, moves
 * partner-gateway to TLS passthrough, widens orders-api's auth policy and renames checkout-api's
 * logical id (its Name stays). Both are put together from the sections below; the tests check
 * them against test/fixtures/iac/cloudformation/analytics-mesh.{base,head}.yaml, the same texts.
 */

const header = (services: string): string => `AWSTemplateFormatVersion: '2010-09-09'
Description: >-
  The analytics-mesh service network (VPC Lattice, us-east-1) and the services the platform team
  runs in it: ${services}.
`;

const NETWORK = `
Parameters:
  MeshName:
    Type: String
    Default: analytics-mesh
  OrdersDomain:
    Type: String
    Default: orders
  ServicesVpcId:
    Type: AWS::EC2::VPC::Id
    Default: vpc-0c02ad395b0a86488
  OrganizationId:
    Type: String
    Default: o-a1b2c3d4e5
  AccessLogRetentionDays:
    Type: Number
    Default: 30

Resources:
  AccessLogGroup:
    Type: AWS::Logs::LogGroup
    DeletionPolicy: Retain
    Properties:
      LogGroupName: !Sub /aws/vpclattice/\${MeshName}
      RetentionInDays: !Ref AccessLogRetentionDays

  MeshNetwork:
    Type: AWS::VpcLattice::ServiceNetwork
    Properties:
      Name: !Ref MeshName
      AuthType: AWS_IAM

  MeshAccessLogs:
    Type: AWS::VpcLattice::AccessLogSubscription
    Properties:
      ResourceIdentifier: !GetAtt MeshNetwork.Arn
      DestinationArn: !GetAtt AccessLogGroup.Arn

  MeshClientsSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub Clients of \${MeshName} in the services VPC
      VpcId: !Ref ServicesVpcId
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 443
          CidrIp: 10.0.0.0/8

  ServicesVpcAssociation:
    Type: AWS::VpcLattice::ServiceNetworkVpcAssociation
    Properties:
      ServiceNetworkIdentifier: !Ref MeshNetwork
      VpcIdentifier: !Ref ServicesVpcId
      SecurityGroupIds:
        - !Ref MeshClientsSecurityGroup

`;

const ORDERS_API = `  # orders-api: the order service, callable only from our organization.
  OrdersService:
    Type: AWS::VpcLattice::Service
    Properties:
      Name: !Sub \${OrdersDomain}-api
      AuthType: AWS_IAM

  OrdersTargetGroup:
    Type: AWS::VpcLattice::TargetGroup
    Properties:
      Name: !Sub \${OrdersDomain}-api-targets
      Type: IP
      Config:
        Port: 8080
        Protocol: HTTP
        ProtocolVersion: HTTP1
        VpcIdentifier: !Ref ServicesVpcId
        HealthCheck:
          Enabled: true
          Path: /healthz

  OrdersListener:
    Type: AWS::VpcLattice::Listener
    Properties:
      Name: http-80
      ServiceIdentifier: !Ref OrdersService
      Protocol: HTTP
      Port: 80
      DefaultAction:
        Forward:
          TargetGroups:
            - TargetGroupIdentifier: !Ref OrdersTargetGroup
              Weight: 100

  OrdersNetworkAssociation:
    Type: AWS::VpcLattice::ServiceNetworkServiceAssociation
    Properties:
      ServiceIdentifier: !Ref OrdersService
      ServiceNetworkIdentifier: !Ref MeshNetwork

  OrdersAuthPolicy:
    Type: AWS::VpcLattice::AuthPolicy
    Properties:
      ResourceIdentifier: !GetAtt OrdersService.Id
`;

const ORDERS_POLICY_BASE = `      Policy:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: vpc-lattice-svcs:Invoke
            Resource: '*'
            Condition:
              StringEquals:
                aws:PrincipalOrgID: !Ref OrganizationId

`;

/** The head's policy is an anchor, which orders-v2's policy reuses. */
const ORDERS_POLICY_HEAD = `      Policy: &orders-policy
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: vpc-lattice-svcs:Invoke
            Resource: '*'
            Condition:
              StringEquals:
                aws:PrincipalOrgID: !Ref OrganizationId
              StringEqualsIfExists:
                aws:PrincipalTag/team:
                  - orders
                  - checkout

`;

const ORDERS_V2 = `  # orders-v2: the new order service, behind HTTPS from the start.
  OrdersV2Service:
    Type: AWS::VpcLattice::Service
    Properties:
      Name: !Sub \${OrdersDomain}-v2
      AuthType: AWS_IAM

  OrdersV2TargetGroup:
    Type: AWS::VpcLattice::TargetGroup
    Properties:
      Name: !Sub \${OrdersDomain}-v2-targets
      Type: IP
      Config:
        Port: 8443
        Protocol: HTTPS
        ProtocolVersion: HTTP2
        VpcIdentifier: !Ref ServicesVpcId
        HealthCheck:
          Enabled: true
          Path: /healthz

  OrdersV2Listener:
    Type: AWS::VpcLattice::Listener
    Properties:
      Name: https-443
      ServiceIdentifier: !Ref OrdersV2Service
      Protocol: HTTPS
      Port: 443
      DefaultAction:
        Forward:
          TargetGroups:
            - TargetGroupIdentifier: !Ref OrdersV2TargetGroup

  OrdersV2NetworkAssociation:
    Type: AWS::VpcLattice::ServiceNetworkServiceAssociation
    Properties:
      ServiceIdentifier: !Ref OrdersV2Service
      ServiceNetworkIdentifier: !Ref MeshNetwork

  OrdersV2AuthPolicy:
    Type: AWS::VpcLattice::AuthPolicy
    Properties:
      ResourceIdentifier: !GetAtt OrdersV2Service.Id
      Policy: *orders-policy

`;

const checkoutApi = (service: string, association: string): string => `  # checkout-api
  ${service}:
    Type: AWS::VpcLattice::Service
    Properties:
      Name: checkout-api
      AuthType: AWS_IAM

  CheckoutTargetGroup:
    Type: AWS::VpcLattice::TargetGroup
    Properties:
      Name: checkout-api-targets
      Type: IP
      Config:
        Port: 8080
        Protocol: HTTP
        VpcIdentifier: !Ref ServicesVpcId

  CheckoutListener:
    Type: AWS::VpcLattice::Listener
    Properties:
      Name: http-80
      ServiceIdentifier: !GetAtt ${service}.Arn
      Protocol: HTTP
      Port: 80
      DefaultAction:
        Forward:
          TargetGroups:
            - TargetGroupIdentifier: !Ref CheckoutTargetGroup

  ${association}:
    Type: AWS::VpcLattice::ServiceNetworkServiceAssociation
    Properties:
      ServiceIdentifier: !GetAtt ${service}.Id
      ServiceNetworkIdentifier: !GetAtt MeshNetwork.Id

`;

interface PartnerGateway {
  comment: string;
  targetPort: number;
  targetProtocol: string;
  listener: { name: string; protocol: string; port: number };
}

const partnerGateway = ({
  comment,
  targetPort,
  targetProtocol,
  listener,
}: PartnerGateway): string => `  # partner-gateway: ${comment}
  PartnerGatewayService:
    Type: AWS::VpcLattice::Service
    Properties:
      Name: partner-gateway
      AuthType: AWS_IAM

  PartnerGatewayTargetGroup:
    Type: AWS::VpcLattice::TargetGroup
    Properties:
      Name: partner-gateway-targets
      Type: IP
      Config:
        Port: ${targetPort}
        Protocol: ${targetProtocol}
        VpcIdentifier: !Ref ServicesVpcId

  PartnerGatewayListener:
    Type: AWS::VpcLattice::Listener
    Properties:
      Name: ${listener.name}
      ServiceIdentifier: !Ref PartnerGatewayService
      Protocol: ${listener.protocol}
      Port: ${listener.port}
      DefaultAction:
        Forward:
          TargetGroups:
            - TargetGroupIdentifier: !Ref PartnerGatewayTargetGroup

  PartnerGatewayNetworkAssociation:
    Type: AWS::VpcLattice::ServiceNetworkServiceAssociation
    Properties:
      ServiceIdentifier: !Ref PartnerGatewayService
      ServiceNetworkIdentifier: !Ref MeshNetwork

`;

const LEGACY_REPORTS = `  # legacy-reports: monthly PDF reports, a handful of requests a day.
  LegacyReportsService:
    Type: AWS::VpcLattice::Service
    Properties:
      Name: legacy-reports
      AuthType: NONE

  LegacyReportsTargetGroup:
    Type: AWS::VpcLattice::TargetGroup
    Properties:
      Name: legacy-reports-targets
      Type: IP
      Config:
        Port: 8080
        Protocol: HTTP
        VpcIdentifier: !Ref ServicesVpcId

  LegacyReportsListener:
    Type: AWS::VpcLattice::Listener
    Properties:
      Name: http-80
      ServiceIdentifier: !Ref LegacyReportsService
      Protocol: HTTP
      Port: 80
      DefaultAction:
        Forward:
          TargetGroups:
            - TargetGroupIdentifier: !Ref LegacyReportsTargetGroup

  LegacyReportsNetworkAssociation:
    Type: AWS::VpcLattice::ServiceNetworkServiceAssociation
    Properties:
      ServiceIdentifier: !Ref LegacyReportsService
      ServiceNetworkIdentifier: !Ref MeshNetwork

`;

const OUTPUTS = `Outputs:
  ServiceNetworkArn:
    Value: !GetAtt MeshNetwork.Arn
    Export:
      Name: !Sub \${AWS::StackName}-ServiceNetworkArn
`;

/** The template on the base branch. */
export const DEMO_TEMPLATE_BASE = [
  header('orders-api, checkout-api, partner-gateway and legacy-reports'),
  NETWORK,
  ORDERS_API,
  ORDERS_POLICY_BASE,
  checkoutApi('CheckoutService', 'CheckoutNetworkAssociation'),
  partnerGateway({
    comment: 'HTTP for now; the partner terminates TLS at our targets.',
    targetPort: 8080,
    targetProtocol: 'HTTP',
    listener: { name: 'http-80', protocol: 'HTTP', port: 80 },
  }),
  LEGACY_REPORTS,
  OUTPUTS,
].join('');

/** The template on the pull request's head. */
export const DEMO_TEMPLATE_HEAD = [
  header('orders-api, orders-v2, checkout-api and partner-gateway'),
  NETWORK,
  ORDERS_API,
  ORDERS_POLICY_HEAD,
  ORDERS_V2,
  checkoutApi('CheckoutApiService', 'CheckoutApiNetworkAssociation'),
  partnerGateway({
    comment: "TLS passes through to the targets, which hold the partner's certificate.",
    targetPort: 8443,
    targetProtocol: 'TCP',
    listener: { name: 'tls-443', protocol: 'TLS_PASSTHROUGH', port: 443 },
  }),
  OUTPUTS,
].join('');
